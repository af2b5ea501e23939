/** Parses `--name value` / `--flag` command lines into a map, rejecting unknown names. */
export function parseArgs(argv: string[], known: Record<string, 'value' | 'flag'>): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2);
    const kind = known[name];
    if (!kind)
      throw new Error(
        `unknown option --${name} (known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (kind === 'flag') {
      out.set(name, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    out.set(name, value);
  }
  return out;
}
