#!/usr/bin/env node
// admission-policy-engine: one CLI, subcommands.
import { renderCommand, renderUsage } from './render.js';
import { reportCommand, reportUsage } from './report.js';
import { runCommand, runUsage } from './run.js';
import { verifyCommand, verifyUsage } from '../verify/command.js';
import { displayValue } from '../util/display.js';
import { parseCommandLine, UsageError } from '../util/args.js';

const usage = `Usage: admission-policy-engine <command> [flags]

Commands:
  render   compile policies, namespace labels and settings to Gatekeeper objects (no cluster needed)
  run      run the operator against a cluster (kubeconfig or in-cluster)
  verify   serve image signature verification to Gatekeeper (external data provider)
  report   Gatekeeper's audit violations per policy (from a cluster or files)
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
  try {
    // Flags before the command are the program's (only --help); the command parses its own.
    const at = argv.findIndex((a) => !a.startsWith('-') || a === '-');
    const { values } = parseCommandLine(at === -1 ? argv : argv.slice(0, at), { help: { type: 'boolean', short: 'h' } });
    const command = at === -1 ? undefined : argv[at];
    const rest = at === -1 ? [] : argv.slice(at + 1);
    if (values.help || command === undefined || command === 'help') {
      // `help render`, `--help render` and `render --help` all show render's flags.
      const topic = command === 'help' ? rest[0] : command;
      if (topic === 'render') io.stdout(renderUsage);
      else if (topic === 'run') io.stdout(runUsage);
      else if (topic === 'verify') io.stdout(verifyUsage);
      else if (topic === 'report') io.stdout(reportUsage);
      else io.stdout(usage);
      return values.help || command !== undefined ? 0 : 2;
    }
    switch (command) {
      case 'render':
        return renderCommand(rest, io);
      case 'run':
        return await runCommand(rest);
      case 'verify':
        return await verifyCommand(rest);
      case 'report':
        return await reportCommand(rest, io);
      default:
        io.stderr(`unknown command "${displayValue(command)}"\n\n${usage}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${displayValue(err.message)}\n`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The operator's HTTP agents may keep sockets open after a clean shutdown: do not wait for them.
    if (process.argv[2] === 'run' || process.argv[2] === 'verify') setTimeout(() => process.exit(code), 100).unref();
  },
  (err: unknown) => {
    io.stderr(`error: ${displayValue(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  },
);
