// Command-line parsing for the subcommands: node's util.parseArgs (strict, positionals allowed),
// with its errors turned into UsageError (exit 2, `error: ...`) worded as before.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Why parseArgs refused `argv`, found again from its tokens (its own messages are long-winded). */
function explain(err: NodeJS.ErrnoException, argv: string[], options: Options): string {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = options[t.name] as Options[string] | undefined;
    if (!spec) return `unknown flag ${t.rawName}`;
    if (spec.type === 'boolean' && t.value !== undefined) return `flag ${t.rawName} takes no value`;
    if (spec.type === 'string' && t.value === undefined) return `flag ${t.rawName} needs a value`;
    // `-f --other`: parseArgs refuses a value that looks like a flag; `--flag=-x` passes one.
    if (spec.type === 'string' && err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && t.inlineValue === false && t.value?.startsWith('-')) {
      return `flag ${t.rawName} needs a value (got the flag ${t.value}; write ${t.rawName.startsWith('--') ? `${t.rawName}=${t.value}` : `${t.rawName}${t.value}`} if that is the value)`;
    }
  }
  return err.message;
}

/** `util.parseArgs` in strict mode; a bad command line throws UsageError. */
export function parseCommandLine<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(explain(e, argv, options));
    throw err;
  }
}
