/**
 * What the memory checks read from a page: the run's buffers and bytes (through `window.sngan`),
 * the main thread's JS heap after a full GC and the number of live objects of a class (through
 * the Chrome DevTools Protocol), and the steps that bring the page to rest. Shared by
 * test/e2e/memory.test.ts and its full form (tools/soak/page-soak.ts).
 */
import type { CDPSession, Page } from 'playwright-core';
import type { RunMemory } from '../../src/ui/state/store';

export interface HeapFigure {
  /** V8 heap in use (JS objects). */
  used: number;
  /** ArrayBuffer contents, which live outside the V8 heap. */
  backing: number;
}

/** Waits until the page is paused with its step-0 checkpoint taken (no read-back in flight). */
export async function restingMemory(page: Page, timeout = 120_000): Promise<RunMemory> {
  await page.waitForFunction(
    () => {
      const s = window.sngan;
      const m = s?.memory();
      // The status line has caught up with the figure read now, so both say the same.
      return (
        s?.store.run.phase === 'paused' &&
        s.checkpointStep() === s.store.run.step &&
        m !== null &&
        m !== undefined &&
        s.store.run.memory?.items === m.items &&
        s.store.run.memory.bytes === m.bytes
      );
    },
    undefined,
    { timeout },
  );
  return (await page.evaluate(() => window.sngan!.memory()))!;
}

/** The JS heap of the page's main thread after a full garbage collection. */
export async function heapAfterGc(cdp: CDPSession): Promise<HeapFigure> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  return { used: usage.usedSize, backing: usage.backingStorageSize ?? 0 };
}

/** Live objects whose prototype chain holds `className`.prototype (e.g. GPUDevice, Worker). */
export async function liveObjects(cdp: CDPSession, className: string): Promise<number> {
  const proto = await cdp.send('Runtime.evaluate', { expression: `${className}.prototype` });
  const found = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId! });
  const length = await cdp.send('Runtime.callFunctionOn', {
    objectId: found.objects.objectId!,
    functionDeclaration: 'function () { return this.length; }',
    returnByValue: true,
  });
  await cdp.send('Runtime.releaseObject', { objectId: found.objects.objectId! });
  await cdp.send('Runtime.releaseObject', { objectId: proto.result.objectId! });
  return length.result.value as number;
}

/** Plays until the page has published `steps` more steps, then pauses. */
export async function trainSteps(page: Page, steps: number, timeout = 120_000): Promise<void> {
  const from = await page.evaluate(() => window.sngan!.store.run.step);
  await page.click('[data-testid="play"]');
  await page.waitForFunction((target) => window.sngan!.store.run.step >= target, from + steps, { timeout });
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => window.sngan!.store.run.phase === 'paused', undefined, { timeout });
}
