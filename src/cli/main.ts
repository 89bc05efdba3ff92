#!/usr/bin/env node
// admission-policy-engine: one CLI, subcommands.
import { renderCommand, renderUsage } from './render.js';
import { UsageError } from './args.js';

const usage = `Usage: admission-policy-engine <command> [flags]

Commands:
  render   compile policies, namespace labels and settings to Gatekeeper objects (no cluster needed)
  help     show this help, or a command's: help <command>

Run 'admission-policy-engine <command> --help' for a command's flags.
`;

const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) };

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'render':
        return renderCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        if (rest[0] === 'render') io.stdout(renderUsage);
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

process.exitCode = main(process.argv.slice(2));
