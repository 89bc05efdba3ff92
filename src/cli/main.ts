#!/usr/bin/env node
// admission-policy-engine: one CLI, subcommands.
import { renderCommand, renderUsage } from './render.js';
import { runCommand, runUsage } from './run.js';
import { UsageError } from './args.js';

const usage = `Usage: admission-policy-engine <command> [flags]

Commands:
  render   compile policies, namespace labels and settings to Gatekeeper objects (no cluster needed)
  run      run the operator against a cluster (kubeconfig or in-cluster)
  help     show this help, or a command's: help <command>

Run 'admission-policy-engine <command> --help' for a command's flags.
`;

// `render | head` closes stdout early: stop quietly, as Unix tools do, instead of crashing.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'render':
        return renderCommand(rest, io);
      case 'run':
        return await runCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        if (rest[0] === 'render') io.stdout(renderUsage);
        else if (rest[0] === 'run') io.stdout(runUsage);
        else io.stdout(usage);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The operator's HTTP agents may keep sockets open after a clean shutdown: do not wait for them.
    if (process.argv[2] === 'run') setTimeout(() => process.exit(code), 100).unref();
  },
  (err: unknown) => {
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
