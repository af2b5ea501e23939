/** Parses `--name value` / `--flag` command lines into a map, rejecting unknown names. */
export function parseArgs(argv: string[], known: Record<string, 'value' | 'flag'>): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    // Split at the first '=' only: `--out=run=1.json` names the file run=1.json.
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    // Own names only: `--constructor` is not an option because every object inherits one.
    const kind = Object.hasOwn(known, name) ? known[name] : undefined;
    if (!kind)
      throw new Error(
        `unknown option --${name} (known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (kind === 'flag') {
      if (inline !== undefined) throw new Error(`--${name} takes no value (got ${arg})`);
      out.set(name, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    out.set(name, value);
  }
  return out;
}
