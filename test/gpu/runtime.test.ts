import { describe, expect, it } from 'vitest';
import { acquireGpu, describeAdapter, GpuUnavailableError, summarizeAdapter } from '../../src/gpu/device';
import { submitKernels } from '../../src/gpu/kernel';
import { prepareScale } from '../../src/gpu/kernels/elementwise';
import { GpuTimer } from '../../src/gpu/timing';
import { acquireNodeGpu, nodeGpu } from '../../src/node/webgpu-node';

describe('GPU runtime', () => {
  it('reports the adapter, its features and the limits it got', async () => {
    const ctx = await acquireNodeGpu({ label: 'runtime.test' });
    expect(describeAdapter(ctx.adapter).length).toBeGreaterThan(0);
    expect(ctx.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
    // The device gets every optional feature the adapter offers, and the limits the kernels rely
    // on up to the adapter's maximum (not the WebGPU defaults).
    const adapter = (await (await nodeGpu()).requestAdapter({ powerPreference: 'high-performance' }))!;
    expect(ctx.features).toEqual({
      timestampQuery: adapter.features.has('timestamp-query'),
      subgroups: adapter.features.has('subgroups'),
    });
    expect(ctx.device.features.has('timestamp-query')).toBe(adapter.features.has('timestamp-query'));
    for (const name of ['maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize'] as const) {
      expect(ctx.limits[name], name).toBe(adapter.limits[name]);
    }
    ctx.device.destroy();
  });

  it('counts live buffers and bytes, and frees them', async () => {
    const ctx = await acquireNodeGpu();
    const before = { n: ctx.buffers.liveBuffers, bytes: ctx.buffers.liveBytes };
    const a = ctx.buffers.storage('a', 100);
    const b = ctx.buffers.storage('b', 1);
    expect(ctx.buffers.liveBuffers).toBe(before.n + 2);
    // 1 float is padded to the 16-byte minimum binding size.
    expect(ctx.buffers.liveBytes).toBe(before.bytes + 400 + 16);
    ctx.buffers.destroy(a);
    expect(ctx.buffers.liveBuffers).toBe(before.n + 1);
    expect(ctx.buffers.liveBytes).toBe(before.bytes + 16);
    ctx.buffers.destroy(b);
    ctx.buffers.destroy(b); // twice is harmless
    expect(ctx.buffers.liveBuffers).toBe(before.n);
    // A read-back leaves no staging buffer behind.
    const c = ctx.buffers.storage('c', 3, [1, 2, 3]);
    expect(Array.from(await ctx.buffers.read(c, 3))).toEqual([1, 2, 3]);
    expect(ctx.buffers.liveBuffers).toBe(before.n + 1);
    ctx.device.destroy();
  });

  it('makes each pipeline once per (shader, entry point, constants)', async () => {
    const ctx = await acquireNodeGpu();
    const x = ctx.buffers.storage('x', 8);
    const y = ctx.buffers.storage('y', 8);
    prepareScale(ctx, { n: 8, x, y, alpha: 2 });
    const size = ctx.pipelines.size;
    prepareScale(ctx, { n: 5, x, y, alpha: 3 });
    expect(ctx.pipelines.size).toBe(size);
    ctx.device.destroy();
  });

  it('delivers uncaptured errors and device loss to the caller', async () => {
    const errors: string[] = [];
    let lostReason = '';
    const ctx = await acquireNodeGpu({
      onUncapturedError: (e) => errors.push(e.message),
      onLost: (info) => (lostReason = info.reason),
    });
    // MAP_READ may only be combined with COPY_DST: a validation error nobody catches.
    ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await ctx.device.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBe(1);
    ctx.device.destroy();
    const info = await ctx.lost;
    expect(info.reason).toBe('destroyed');
    expect(lostReason).toBe('destroyed');
  });

  it('times GPU work with timestamp queries when the adapter has them, and runs it either way', async () => {
    const ctx = await acquireNodeGpu();
    const n = 1 << 16;
    const x = ctx.buffers.storage(
      'x',
      n,
      Float32Array.from({ length: n }, (_, i) => i % 97),
    );
    const y = ctx.buffers.storage('y', n);
    const kernel = prepareScale(ctx, { n, x, y, alpha: 2 });
    // With timestamps where the device has them, and without (the fallback every caller must
    // handle), forced by hiding the feature from the timer.
    const withoutTimestamps = { ...ctx, features: { ...ctx.features, timestampQuery: false } };
    for (const [label, context] of [
      ['device', ctx],
      ['no timestamps', withoutTimestamps],
    ] as const) {
      const timer = new GpuTimer(context);
      ctx.buffers.write(y, new Float32Array(n));
      const started = performance.now();
      const ms = await timer.time((pass) => kernel.encode(pass));
      const wallMs = performance.now() - started;
      if (context.features.timestampQuery) {
        // GPU time of the pass: positive, and no longer than the wall time around it.
        expect(ms, label).not.toBeNull();
        expect(ms!, label).toBeGreaterThan(0);
        expect(ms!, label).toBeLessThanOrEqual(wallMs + 1);
      } else {
        expect(timer.available, label).toBe(false);
        expect(ms, label).toBeNull();
      }
      // The timed pass ran the work: y = 2x.
      const out = await ctx.buffers.read(y, n);
      expect(
        out.every((v, i) => v === 2 * (i % 97)),
        `${label}: y = 2x`,
      ).toBe(true);
      timer.destroy();
    }
    submitKernels(ctx, [kernel]);
    ctx.device.destroy();
  });

  it('says clearly when there is no WebGPU or no adapter', async () => {
    await expect(acquireGpu(undefined)).rejects.toThrow(GpuUnavailableError);
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await expect(acquireGpu(noAdapter)).rejects.toThrow(/No WebGPU adapter/);
    expect(await nodeGpu()).toBeDefined();
  });

  it('refuses an adapter below the engine’s minimum limits', async () => {
    const real = (await (await nodeGpu()).requestAdapter())!;
    const limits = new Proxy(real.limits, {
      get: (target, name) => (name === 'maxComputeWorkgroupStorageSize' ? 4096 : Reflect.get(target, name)),
    });
    const small = { requestAdapter: async () => ({ features: real.features, limits }) } as unknown as GPU;
    await expect(acquireGpu(small)).rejects.toThrow(/too small: maxComputeWorkgroupStorageSize is 4096/);
  });

  it('recognizes software adapters', () => {
    expect(
      summarizeAdapter(
        { vendor: 'google', architecture: 'swiftshader', device: '', description: '' } as GPUAdapterInfo,
        false,
      ).isSoftware,
    ).toBe(true);
    expect(
      summarizeAdapter(
        { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' } as GPUAdapterInfo,
        false,
      ).isSoftware,
    ).toBe(false);
    expect(summarizeAdapter(undefined, true).isSoftware).toBe(true);
  });
});
