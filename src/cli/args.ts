// Minimal argument parsing: flags with values, repeatable flags, positional words. No dependency.
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
  switches: Set<string>;
}

export class UsageError extends Error {}

/** `spec` maps a flag (and its aliases) to whether it takes a value. */
export function parseArgs(argv: string[], spec: Record<string, { value: boolean; alias?: string }>): ParsedArgs {
  const byName = new Map<string, { name: string; value: boolean }>();
  for (const [name, s] of Object.entries(spec)) {
    byName.set(`--${name}`, { name, value: s.value });
    if (s.alias) byName.set(`-${s.alias}`, { name, value: s.value });
  }
  const out: ParsedArgs = { positional: [], flags: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    const def = byName.get(key);
    if (!def) throw new UsageError(`unknown flag ${key}`);
    if (!def.value) {
      out.switches.add(def.name);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag ${key} needs a value`);
    out.flags.set(def.name, [...(out.flags.get(def.name) ?? []), value]);
  }
  return out;
}
