// A kernel that does not compile (issue 14): matmul.wgsl is swapped, for this file only, for a copy
// with one bad statement (vi.mock of its `?raw` import, the text every launcher gets). The CLI's
// run then stops before training with an Error that names the file, the line and column in that
// file (not in the module with its #include snippets spliced in) and the compiler's message.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { runTraining } from '../../src/cli/run-training';
import { composeWgslMapped, KERNEL_SHADERS } from '../../src/gpu/shader-source';

const GOOD = 'let base = tile.split * m * n;';
const BAD = 'let base = tile.split * m * undefined_on_purpose;';

vi.mock('../../shaders/matmul.wgsl?raw', async () => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(new URL('../../shaders/matmul.wgsl', import.meta.url), 'utf8');
  return {
    default: text.replace('let base = tile.split * m * n;', 'let base = tile.split * m * undefined_on_purpose;'),
  };
});

/** Where the bad identifier is in shaders/matmul.wgsl, 1-based, as an editor shows it. */
function badSpot(): { line: number; column: number } {
  const lines = readFileSync(new URL('../../shaders/matmul.wgsl', import.meta.url), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(GOOD));
  return { line: line + 1, column: lines[line].replace(GOOD, BAD).indexOf('undefined_on_purpose') + 1 };
}

describe('a WGSL kernel that does not compile', () => {
  it('maps each line of a composed module back to its file and line', () => {
    const snippet = 'fn a() {}\nfn b() {}\n';
    const { code, origins } = composeWgslMapped('x\n#include "s.wgsl"\ny\n#include "s.wgsl"\nz', 'shaders/k.wgsl', {
      's.wgsl': snippet,
    });
    expect(code).toBe('x\nfn a() {}\nfn b() {}\ny\n\nz');
    expect(origins.map((o) => `${o.file}:${o.line}`)).toEqual([
      'shaders/k.wgsl:1',
      'shaders/s.wgsl:1',
      'shaders/s.wgsl:2',
      'shaders/k.wgsl:3',
      'shaders/k.wgsl:4',
      'shaders/k.wgsl:5',
    ]);
    for (const shader of KERNEL_SHADERS.values()) expect(readFileSync(shader.file, 'utf8').length).toBeGreaterThan(0);
  });

  it('stops the CLI before training with the file, line, column and message', { timeout: 120_000 }, async () => {
    const { line, column } = badSpot();
    const run = runTraining(['--variants', 'sn', '--steps', '1', '--backend', 'webgpu', '--quiet']);
    await expect(run).rejects.toThrow(`shaders/matmul.wgsl:${line}:${column}: error:`);
    await expect(run).rejects.toThrow(/undefined_on_purpose/);
  });
});
