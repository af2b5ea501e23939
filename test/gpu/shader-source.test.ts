/**
 * src/gpu/shader-source.ts: `#include` splicing of shared WGSL snippets and bindings by name. The
 * last block holds every launcher to its shader: the names a launcher binds by must be exactly the
 * shader's `@group(0) @binding(N) var… NAME` declarations, and no launcher keeps numbers by hand.
 * No GPU needed; the kernel tests run the composed modules on one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADAM_SHADER } from '../../src/gpu/kernels/adam';
import { BATCHNORM_SHADER } from '../../src/gpu/kernels/batchnorm';
import { CONV_SHADER } from '../../src/gpu/kernels/conv';
import { ELEMENTWISE_SHADER } from '../../src/gpu/kernels/elementwise';
import { GRADIENT_PENALTY_SHADER } from '../../src/gpu/kernels/gradient-penalty';
import { LOSS_SHADER } from '../../src/gpu/kernels/loss';
import { MATMUL_SHADER } from '../../src/gpu/kernels/matmul';
import { RANDOM_SHADER } from '../../src/gpu/kernels/random';
import { REDUCE_SHADER } from '../../src/gpu/kernels/reduce';
import { SPECTRAL_NORM_SHADER } from '../../src/gpu/kernels/spectral-norm';
import { WEIGHT_NORM_SHADER } from '../../src/gpu/kernels/weight-norm';
import {
  WGSL_SNIPPETS,
  composeWgsl,
  declaredBindings,
  kernelShader,
  type KernelShader,
} from '../../src/gpu/shader-source';

const SHADERS_DIR = new URL('../../shaders/', import.meta.url);
const KERNELS_DIR = new URL('../../src/gpu/kernels/', import.meta.url);
const read = (dir: URL, name: string): string => readFileSync(new URL(name, dir), 'utf8');

const LAUNCHER_SHADERS: KernelShader<string>[] = [
  ADAM_SHADER,
  BATCHNORM_SHADER,
  CONV_SHADER,
  ELEMENTWISE_SHADER,
  GRADIENT_PENALTY_SHADER,
  LOSS_SHADER,
  MATMUL_SHADER,
  RANDOM_SHADER,
  REDUCE_SHADER,
  SPECTRAL_NORM_SHADER,
  WEIGHT_NORM_SHADER,
];

const fakeBuffer = (label: string) => ({ label }) as GPUBuffer;

describe('composeWgsl', () => {
  const snippets = { 'lib/a.wgsl': 'fn a() {}\n', 'lib/b.wgsl': '#include "lib/a.wgsl"\nfn b() { a(); }\n' };

  it('splices a snippet in place of its #include line, and leaves other text alone', () => {
    expect(composeWgsl('// top\n#include "lib/a.wgsl"\nfn main() {}\n', snippets)).toBe(
      '// top\nfn a() {}\nfn main() {}\n',
    );
    expect(composeWgsl('fn main() {} // #include "lib/a.wgsl" in a comment\n', snippets)).toBe(
      'fn main() {} // #include "lib/a.wgsl" in a comment\n',
    );
  });

  it('expands nested includes and splices each snippet once per module', () => {
    const code = composeWgsl('#include "lib/b.wgsl"\n  #include "lib/a.wgsl"\nfn main() {}\n', snippets);
    expect(code.match(/fn a\(\)/g)).toHaveLength(1);
    expect(code).toContain('fn b() { a(); }');
    expect(code).not.toContain('#include');
  });

  it('throws on an unknown snippet, naming it', () => {
    expect(() => composeWgsl('#include "lib/nope.wgsl"\n', snippets)).toThrow(/lib\/nope\.wgsl.*no such WGSL snippet/);
  });

  it('knows every file in shaders/lib, with its current text', () => {
    const files = readdirSync(new URL('lib/', SHADERS_DIR)).filter((f) => f.endsWith('.wgsl'));
    expect(Object.keys(WGSL_SNIPPETS).sort()).toEqual(files.map((f) => `lib/${f}`).sort());
    for (const f of files) expect(WGSL_SNIPPETS[`lib/${f}`]).toBe(read(new URL('lib/', SHADERS_DIR), f));
  });
});

describe('declaredBindings', () => {
  it('reads group-0 names and numbers, skipping comments and other groups', () => {
    const code = [
      '// @group(0) @binding(9) var<storage, read> commented: array<f32>;',
      '/* @group(0) @binding(8) var<storage> blocked: array<f32>; */',
      '@group(0) @binding(0) var<uniform> params: Params;',
      '@group(0)  @binding( 2 )\n  var<storage, read_write> out_2: array<f32>;',
      '@group(1) @binding(0) var<storage, read> elsewhere: array<f32>;',
      '@group(0) @binding(1) var tex: texture_2d<f32>;',
    ].join('\n');
    expect([...declaredBindings(code)]).toEqual([
      ['params', 0],
      ['out_2', 2],
      ['tex', 1],
    ]);
  });

  it('throws on a binding number or a name declared twice', () => {
    const twice =
      '@group(0) @binding(1) var<storage> a: array<f32>;\n@group(0) @binding(1) var<storage> b: array<f32>;';
    expect(() => declaredBindings(twice)).toThrow(/@binding\(1\) is declared twice: a and b/);
  });
});

describe('kernelShader', () => {
  const code = '@group(0) @binding(0) var<uniform> params: P;\n@group(0) @binding(3) var<storage> out: array<f32>;';

  it('binds buffers by name to the numbers the WGSL declares', () => {
    const shader = kernelShader('demo', code, ['out', 'params']);
    expect(shader.slots).toEqual({ params: 0, out: 3 });
    const out = fakeBuffer('out');
    expect(shader.bind({ out })).toEqual({ 3: out });
  });

  it('throws when the names differ from the declarations, saying which', () => {
    expect(() => kernelShader('demo', code, ['params'])).toThrow(/demo: .*not listed: out/);
    expect(() => kernelShader('demo', code, ['params', 'out', 'extra'])).toThrow(/demo: .*not declared: extra/);
    expect(() => kernelShader('demo', code, ['params', 'outt'])).toThrow(/not listed: out; not declared: outt/);
  });

  it('throws on a name it does not know or a missing buffer at bind time', () => {
    const shader = kernelShader('demo', code, ['params', 'out']);
    expect(() => shader.bind({ nope: fakeBuffer('x') } as never)).toThrow(/demo: no binding named nope/);
    expect(() => shader.bind({ out: undefined })).toThrow(/demo: binding out was given no buffer/);
  });
});

describe('every launcher against its shader', () => {
  it.each(LAUNCHER_SHADERS.map((s) => [s.family, s] as const))(
    '%s: the names bound are exactly the declared ones, numbered as declared',
    (_family, shader) => {
      expect(shader.slots).toEqual(Object.fromEntries(declaredBindings(shader.code)));
      expect(Object.keys(shader.slots).length).toBeGreaterThan(0);
      expect(shader.code).not.toMatch(/^\s*#include/m);
    },
  );

  it('every kernel family shader has a launcher that binds it by name', () => {
    const families = readdirSync(SHADERS_DIR)
      .filter((f) => f.endsWith('.wgsl'))
      .map((f) => f.replace(/\.wgsl$/, ''));
    expect(LAUNCHER_SHADERS.map((s) => s.family).sort()).toEqual(families.sort());
    for (const shader of LAUNCHER_SHADERS) {
      // The launcher's module is exactly its family's file, composed: shared WGSL comes only by #include.
      expect(shader.code, shader.family).toBe(composeWgsl(read(SHADERS_DIR, `${shader.family}.wgsl`)));
    }
  });

  it('no launcher keeps binding numbers by hand', () => {
    for (const file of readdirSync(KERNELS_DIR).filter((f) => f.endsWith('.ts'))) {
      const source = read(KERNELS_DIR, file);
      expect(source, file).not.toMatch(/bindings:\s*\{/); // every bind group goes through SHADER.bind
      expect(source, file).not.toMatch(/[{,]\s*\[?\s*\d+\s*\]?\s*:/); // no { 3: buffer } records left
    }
  });
});
