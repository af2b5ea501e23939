/**
 * The page's workers failing (issue 14): a worker that throws, fails to load, exits or is stopped
 * mid-job, answers with an error or never answers. Each job it held rejects with a message naming
 * the worker and the failure, the dead worker's thread ends with its handlers dropped, and the
 * next job runs on a fresh worker — on real threads (node:worker_threads), no mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobWorker } from '../../src/workers/job-worker';
import { threadWorker, type ThreadWorker } from './thread-worker';

/** A JobWorker over fault-injecting threads, keeping every thread it made and every failure it reported. */
function jobs(deadlineMs = 20_000, create: () => ThreadWorker = () => threadWorker()) {
  const made: ThreadWorker[] = [];
  const failures: string[] = [];
  const worker = new JobWorker({
    name: 'test worker',
    create: () => {
      const w = create();
      made.push(w);
      return w;
    },
    deadlineMs,
  });
  worker.onFailure = (e) => failures.push(e.message);
  return { worker, made, failures };
}

/** The old thread is gone and nothing of it stays reachable through its handlers. */
async function expectReleased(w: ThreadWorker) {
  await w.exited;
  expect([w.onmessage, w.onerror, w.onmessageerror]).toEqual([null, null, null]);
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled, 'unhandled rejections').toEqual([]);
});

describe('a worker answering jobs', () => {
  it('answers each job with its own result, all on one worker', async () => {
    const { worker, made, failures } = jobs();
    const results = await Promise.all([1, 2, 3].map((value) => worker.run<number>({ value })));
    expect(results).toEqual([2, 4, 6]);
    expect(made).toHaveLength(1);
    expect(failures).toEqual([]);
    expect(worker.jobsPending).toBe(0);
    worker.stop('end of test');
    await expectReleased(made[0]);
  });
});

describe('a failing worker is restarted for the next job', () => {
  it('throws outside its try: every job it held rejects naming the error; the next job runs on a fresh worker', async () => {
    const { worker, made, failures } = jobs();
    const held = worker.run<number>({ value: 5, fault: 'slow' });
    await expect(worker.run({ fault: 'throw' })).rejects.toThrow(/^test worker threw: .*fault injected into job 1/);
    await expect(held).rejects.toThrow(/test worker threw/);
    await expectReleased(made[0]);
    expect(await worker.run<number>({ value: 7 })).toBe(14);
    expect(made).toHaveLength(2);
    expect(worker.workersStarted).toBe(2);
    expect(failures).toHaveLength(2);
    worker.stop('end of test');
  });

  it('ends mid-job (as a browser terminating it): its jobs reject, the next job succeeds', async () => {
    const { worker, made } = jobs();
    const held = worker.run({ value: 1, fault: 'slow' });
    await expect(worker.run({ fault: 'exit' })).rejects.toThrow('test worker threw: exited with code 3');
    await expect(held).rejects.toThrow('exited with code 3');
    await expectReleased(made[0]);
    expect(await worker.run<number>({ value: 4 })).toBe(8);
    worker.stop('end of test');
  });

  it('stopped mid-job: the job rejects with the reason, the thread ends, the next job succeeds', async () => {
    const { worker, made, failures } = jobs();
    const held = worker.run({ value: 3, fault: 'slow' });
    worker.stop('stopped by the test');
    await expect(held).rejects.toThrow('test worker was stopped (stopped by the test)');
    await expectReleased(made[0]);
    expect(failures).toEqual(['test worker was stopped (stopped by the test)']);
    expect(await worker.run<number>({ value: 21 })).toBe(42);
    expect(made).toHaveLength(2);
    worker.stop('end of test');
  });

  it('answers a job with an error: that job alone rejects, the worker finishes its other jobs and is retired', async () => {
    const { worker, made } = jobs();
    const other = worker.run<number>({ value: 10, fault: 'slow' });
    await expect(worker.run({ fault: 'reply-error' })).rejects.toThrow('test worker: cannot do job 1');
    expect(await other).toBe(20);
    await expectReleased(made[0]);
    expect(await worker.run<number>({ value: 2 })).toBe(4);
    expect(made).toHaveLength(2);
    worker.stop('end of test');
  });

  it('never answers: the job rejects at the deadline, naming it, and the next job runs on a fresh worker', async () => {
    const { worker, made } = jobs(400);
    await expect(worker.run({ fault: 'hang' })).rejects.toThrow('test worker did not answer within 0.4 s');
    await expectReleased(made[0]);
    expect(await worker.run<number>({ value: 6 })).toBe(12);
    worker.stop('end of test');
  });

  it('fails to load its script: the job rejects naming the worker; a later worker that loads answers', async () => {
    let attempt = 0;
    const { worker, made } = jobs(20_000, () =>
      threadWorker(attempt++ === 0 ? new URL('file:///nonexistent/spectra.worker.js') : undefined),
    );
    await expect(worker.run({ value: 1 })).rejects.toThrow(/^test worker threw: .*nonexistent/);
    await expectReleased(made[0]);
    expect(await worker.run<number>({ value: 9 })).toBe(18);
    worker.stop('end of test');
  });

  it('cannot even be created: the job rejects with why, nothing thrown at the caller', async () => {
    const worker = new JobWorker({
      name: 'test worker',
      create: () => {
        throw new Error('workers are not allowed here');
      },
      deadlineMs: 1000,
    });
    await expect(worker.run({ value: 1 })).rejects.toThrow(
      'test worker could not be started: workers are not allowed here',
    );
  });
});
