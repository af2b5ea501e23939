/**
 * A kernel family's WGSL as the launchers use it: the `?raw` text with its `#include` lines spliced
 * in, and its group-0 bindings by name. WGSL has no includes, so shared snippets (shaders/lib/) are
 * spliced here, at module load, the same way under Vite (page, vitest) and the esbuild bundle of
 * scripts/run-node.mjs, since both only hand us `?raw` strings. Binding numbers live only in the
 * `@group(0) @binding(N) var… NAME` declarations: a launcher lists the names once (typed, so a
 * misspelt name does not compile) and binds buffers by name; a list that differs from the shader's
 * declarations throws when the launcher module loads.
 */
import activationCode from '../../shaders/lib/activation.wgsl?raw';
import type { GpuBinding } from './binding';
import membersCode from '../../shaders/lib/members.wgsl?raw';
import workgroupReduceCode from '../../shaders/lib/workgroup_reduce.wgsl?raw';

/** Snippets a kernel module may `#include`, by path relative to shaders/. */
export const WGSL_SNIPPETS: Readonly<Record<string, string>> = Object.freeze({
  'lib/activation.wgsl': activationCode,
  'lib/members.wgsl': membersCode,
  'lib/workgroup_reduce.wgsl': workgroupReduceCode,
});

const INCLUDE_LINE = /^[ \t]*#include[ \t]+"([^"]*)"[ \t]*$/;

/** Where a line of a composed module comes from: a file under shaders/ and its 1-based line. */
export interface WgslOrigin {
  file: string;
  line: number;
}

/**
 * Replaces every `#include "PATH"` line (alone on its line) with the snippet's text, recursively;
 * a snippet is spliced once per module (later includes of it vanish), as a declaration may not
 * appear twice. An unknown path throws. `origins[i]` says which file and line the composed line
 * i + 1 came from, so a compiler message can point into the file a person edits.
 */
export function composeWgslMapped(
  code: string,
  file: string,
  snippets: Readonly<Record<string, string>> = WGSL_SNIPPETS,
): { code: string; origins: WgslOrigin[] } {
  const included = new Set<string>();
  const lines: string[] = [];
  const origins: WgslOrigin[] = [];
  const expand = (text: string, from: string): void => {
    const own = text.split('\n');
    own.forEach((line, i) => {
      const include = INCLUDE_LINE.exec(line);
      if (!include) {
        lines.push(line);
        origins.push({ file: from, line: i + 1 });
        return;
      }
      const path = include[1];
      const snippet = snippets[path];
      if (snippet === undefined) {
        throw new Error(`#include "${path}": no such WGSL snippet (known: ${Object.keys(snippets).join(', ')})`);
      }
      if (included.has(path) || snippet === '') {
        lines.push('');
        origins.push({ file: from, line: i + 1 });
        return;
      }
      included.add(path);
      // The snippet's own last newline ends the include line's place, so it adds no empty line.
      expand(snippet.endsWith('\n') ? snippet.slice(0, -1) : snippet, `shaders/${path}`);
    });
  };
  expand(code, file);
  return { code: lines.join('\n'), origins };
}

/** The composed module text (see composeWgslMapped). */
export function composeWgsl(code: string, snippets: Readonly<Record<string, string>> = WGSL_SNIPPETS): string {
  return composeWgslMapped(code, 'module', snippets).code;
}

const LINE_COMMENT = /\/\/[^\n]*/g;
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g;
const DECLARATION = /@group\(\s*(\d+)\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var(?:\s*<[^>]*>)?\s+([A-Za-z_]\w*)/g;

/** The group-0 resource declarations of a WGSL module, name → binding number (comments ignored). */
export function declaredBindings(code: string): Map<string, number> {
  const text = code.replace(BLOCK_COMMENT, '').replace(LINE_COMMENT, '');
  const slots = new Map<string, number>();
  const taken = new Map<number, string>();
  for (const [, group, binding, name] of text.matchAll(DECLARATION)) {
    if (group !== '0') continue;
    const slot = Number(binding);
    const other = taken.get(slot);
    if (other !== undefined) throw new Error(`@binding(${slot}) is declared twice: ${other} and ${name}`);
    if (slots.has(name)) throw new Error(`binding ${name} is declared twice`);
    slots.set(name, slot);
    taken.set(slot, name);
  }
  return slots;
}

export interface KernelShader<Name extends string> {
  /** Shader family (pipeline cache key and label prefix). */
  readonly family: string;
  /** The family's file, shaders/FAMILY.wgsl. */
  readonly file: string;
  /** The module text with its includes spliced in: what createShaderModule gets. */
  readonly code: string;
  /** The file and line each line of `code` comes from (compiler messages are mapped through it). */
  readonly origins: readonly WgslOrigin[];
  /** Binding number of each declared name, read from the WGSL. */
  readonly slots: Readonly<Record<Name, number>>;
  /** A bind group's entries by number, from buffers by name (an entry point binds the ones it uses). */
  bind(buffers: Partial<Record<Name, GpuBinding>>): Record<number, GpuBinding>;
}

/**
 * Every kernel family's shader, registered as its launcher module loads: what a backend checks
 * for compile errors before it builds a run (src/gpu/shader-check.ts).
 */
export const KERNEL_SHADERS = new Map<string, KernelShader<string>>();

/**
 * A kernel family's shader with its binding names checked against the WGSL: `names` must be exactly
 * the module's group-0 declarations (any order), else this throws naming what is missing or extra.
 */
export function kernelShader<const Name extends string>(
  family: string,
  rawCode: string,
  names: readonly Name[],
): KernelShader<Name> {
  const file = `shaders/${family}.wgsl`;
  const { code, origins } = composeWgslMapped(rawCode, file);
  const declared = declaredBindings(code);
  const missing = [...declared.keys()].filter((n) => !(names as readonly string[]).includes(n));
  const extra = names.filter((n) => !declared.has(n));
  if (missing.length > 0 || extra.length > 0 || new Set(names).size !== names.length) {
    throw new Error(
      `${family}: binding names [${names.join(', ')}] do not match the shader's declarations ` +
        `[${[...declared.keys()].join(', ')}]` +
        (missing.length ? `; not listed: ${missing.join(', ')}` : '') +
        (extra.length ? `; not declared: ${extra.join(', ')}` : ''),
    );
  }
  const slots = Object.freeze(Object.fromEntries(declared)) as Record<Name, number>;
  const shader: KernelShader<Name> = {
    family,
    file,
    code,
    origins,
    slots,
    bind(buffers) {
      const entries: Record<number, GpuBinding> = {};
      for (const [name, buffer] of Object.entries(buffers) as [string, GpuBinding | undefined][]) {
        const slot = declared.get(name);
        if (slot === undefined) throw new Error(`${family}: no binding named ${name}`);
        if (buffer === undefined) throw new Error(`${family}: binding ${name} was given no buffer`);
        entries[slot] = buffer;
      }
      return entries;
    },
  };
  KERNEL_SHADERS.set(family, shader);
  return shader;
}
