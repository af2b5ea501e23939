/**
 * The limits src/gpu/limits.ts asks for on the kernels' behalf (storage buffers per shader stage,
 * workgroup storage) are constants written by hand. Here they are checked against the WGSL itself:
 * every entry point of every module under shaders/ (with its #include snippets), the storage
 * buffers and workgroup arrays it reaches through the functions it calls (pipelines use layout
 * 'auto', so only those count), and the arrays' bytes under each tuning profile.
 *
 * The parse over-counts rather than under-counts (a local that shadows a module variable counts as
 * a use), so it can only make the check stricter.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelNeeds } from '../../src/gpu/limits';
import { composeWgsl } from '../../src/gpu/shader-source';
import { KERNEL_PROFILES, type KernelTuning } from '../../src/gpu/tuning';

const MODULES = readdirSync('shaders').filter((f) => f.endsWith('.wgsl'));

interface EntryUse {
  entry: string;
  storage: string[];
  workgroup: string[];
}

interface ParsedModule {
  file: string;
  entries: EntryUse[];
  /** var<workgroup> name → [element type, count expression]. */
  workgroupVars: Map<string, [string, string]>;
  aliases: Map<string, string>;
  /** override name → its initializer expression (or '' when it has none). */
  overrides: Map<string, string>;
}

const stripComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');

/** The body of the function whose `{` is at `open`, braces matched. */
function bodyFrom(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error('unbalanced braces');
}

function parseModule(file: string): ParsedModule {
  const text = stripComments(composeWgsl(readFileSync(`shaders/${file}`, 'utf8')));
  const storage = new Set([...text.matchAll(/var<storage[^>]*>\s+(\w+)/g)].map((m) => m[1]));
  const workgroupVars = new Map(
    [...text.matchAll(/var<workgroup>\s+(\w+)\s*:\s*array<\s*([\w<>]+)\s*,\s*([^;]+)>\s*;/g)].map(
      (m): [string, [string, string]] => [m[1], [m[2], m[3].trim()]],
    ),
  );
  const aliases = new Map([...text.matchAll(/alias\s+(\w+)\s*=\s*([\w<>]+)\s*;/g)].map((m) => [m[1], m[2]]));
  const overrides = new Map(
    [...text.matchAll(/override\s+(\w+)\s*(?::\s*\w+)?\s*(?:=\s*([^;]+))?;/g)].map((m) => [m[1], m[2]?.trim() ?? '']),
  );
  // Every function: what it names directly, and whether it is a compute entry point.
  const functions = new Map<string, { ids: Set<string>; entry: boolean }>();
  for (const m of text.matchAll(/fn\s+(\w+)\s*\(/g)) {
    const attributes = text.slice(text.lastIndexOf('}', m.index) + 1, m.index);
    const body = bodyFrom(text, text.indexOf('{', m.index));
    functions.set(m[1], { ids: new Set(body.match(/\b[A-Za-z_]\w*\b/g)), entry: /@compute/.test(attributes) });
  }
  const reached = (name: string, seen = new Set<string>()): Set<string> => {
    seen.add(name);
    for (const id of functions.get(name)!.ids) if (functions.has(id) && !seen.has(id)) reached(id, seen);
    return seen;
  };
  const entries = [...functions]
    .filter(([, f]) => f.entry)
    .map(([entry]) => {
      const ids = new Set([...reached(entry)].flatMap((fn) => [...functions.get(fn)!.ids]));
      return {
        entry,
        storage: [...storage].filter((v) => ids.has(v)),
        workgroup: [...workgroupVars.keys()].filter((v) => ids.has(v)),
      };
    });
  return { file, entries, workgroupVars, aliases, overrides };
}

const TYPE_BYTES: Record<string, number> = { f32: 4, u32: 4, i32: 4, 'vec2<f32>': 8, 'vec4<f32>': 16 };

/**
 * The override values the launchers pass for the constants that size workgroup arrays: matmul.ts
 * (WG_X, WG_Y, TILE_K), loss.ts (WORKGROUP_SIZE), gradient-penalty.ts, weight-norm.ts and
 * spectral-norm.ts (WG, TCOLS, TLANES); reduce.ts and batchnorm.ts split the reduction workgroup
 * into WG_J × WG_K threads, and only the product sizes the scratch.
 */
function launcherOverrides(t: KernelTuning): Map<string, number> {
  return new Map([
    ['WG_X', t.matmul.WG_X],
    ['WG_Y', t.matmul.WG_Y],
    ['TILE_K', t.matmul.TILE_K],
    ['WORKGROUP_SIZE', t.reductionWorkgroup],
    ['WG', t.reductionWorkgroup],
    ['TCOLS', t.spectralNorm.TCOLS],
    ['TLANES', t.spectralNorm.TLANES],
    ['WG_J', t.reductionWorkgroup],
    ['WG_K', 1],
  ]);
}

/** Evaluates a WGSL constant expression of integers, names, +, * and max(). */
function evaluate(expression: string, value: (name: string) => number): number {
  const tokens = expression.match(/\w+|[()*+,]/g) ?? [];
  let at = 0;
  const atom = (): number => {
    const token = tokens[at++];
    if (token === '(') {
      const v = sum();
      at++;
      return v;
    }
    if (token === 'max') {
      at++; // (
      const a = sum();
      at++; // ,
      const b = sum();
      at++; // )
      return Math.max(a, b);
    }
    if (/^\d+u?$/.test(token)) return parseInt(token, 10);
    return value(token);
  };
  const product = (): number => {
    let v = atom();
    while (tokens[at] === '*') {
      at++;
      v *= atom();
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[at] === '+') {
      at++;
      v += product();
    }
    return v;
  };
  const result = sum();
  if (at !== tokens.length) throw new Error(`cannot evaluate ${expression}`);
  return result;
}

function workgroupBytes(module: ParsedModule, entry: EntryUse, t: KernelTuning): number {
  const given = launcherOverrides(t);
  const value = (name: string): number => {
    if (given.has(name)) return given.get(name)!;
    const init = module.overrides.get(name);
    if (!init) throw new Error(`${module.file}: no value for ${name} (extend launcherOverrides)`);
    return evaluate(init, value);
  };
  let bytes = 0;
  for (const name of entry.workgroup) {
    const [type, count] = module.workgroupVars.get(name)!;
    const element = TYPE_BYTES[module.aliases.get(type) ?? type];
    if (element === undefined) throw new Error(`${module.file}: unknown element type ${type}`);
    bytes += element * evaluate(count, value);
  }
  return bytes;
}

const modules = MODULES.map(parseModule);

describe('the kernels’ limit needs, read from the WGSL', () => {
  it('finds the entry points and what they bind', () => {
    expect(modules.length).toBeGreaterThanOrEqual(11);
    for (const m of modules) expect(m.entries.length, `${m.file} entry points`).toBeGreaterThan(0);
    // The parse sees through helper calls: workgroup_reduce's scratch counts for the reductions.
    const loss = modules.find((m) => m.file === 'loss.wgsl')!;
    expect(loss.entries.every((e) => e.workgroup.includes('reduce_scratch'))).toBe(true);
  });

  it.each(Object.values(KERNEL_PROFILES))('storage buffers per stage cover every entry point ($profile)', (t) => {
    const busiest = modules.flatMap((m) => m.entries.map((e) => ({ at: `${m.file}:${e.entry}`, n: e.storage.length })));
    const most = Math.max(...busiest.map((b) => b.n));
    const over = busiest.filter((b) => b.n > kernelNeeds(t).maxStorageBuffersPerShaderStage);
    console.log(
      `${t.profile}: at most ${most} storage buffers (${busiest.filter((b) => b.n === most).map((b) => b.at)})`,
    );
    expect(over).toEqual([]);
  });

  it.each(Object.values(KERNEL_PROFILES))('workgroup storage covers every entry point ($profile)', (t) => {
    const sizes = modules.flatMap((m) =>
      m.entries.map((e) => ({ at: `${m.file}:${e.entry}`, bytes: workgroupBytes(m, e, t) })),
    );
    const most = Math.max(...sizes.map((s) => s.bytes));
    console.log(
      `${t.profile}: at most ${most} bytes of workgroup storage (${sizes.filter((s) => s.bytes === most).map((s) => s.at)})`,
    );
    expect(most).toBeGreaterThan(0);
    expect(sizes.filter((s) => s.bytes > kernelNeeds(t).maxComputeWorkgroupStorageSize)).toEqual([]);
  });
});
