// `render`: the main job without a cluster. Reads policies, the ModuleConfig and Namespaces from
// files and prints the complete desired object set, sorted and stable.
import { stringify } from 'yaml';
import { compile } from '../compile/index.js';
import { resolveSettings, defaultCompileSettings } from '../compile/settings.js';
import { parseArgs, UsageError } from './args.js';
import { readInputs } from './inputs.js';

export const renderUsage = `Usage: admission-policy-engine render [-f <file|dir>]... [--settings <file>] [-o yaml|json]

Compiles OperationPolicy and SecurityPolicy objects, Namespace labels and the
admission-policy-engine ModuleConfig into Gatekeeper ConstraintTemplates,
constraints and Config, printed to stdout. Without -f it renders the Pod Security
Standards defaults. Other kinds in the input are ignored with a note on stderr.

  -f, --filename <path>   file or directory (recursive, .yaml/.yml/.json); repeatable
      --settings <file>   a ModuleConfig, or a bare settings mapping
  -o, --output yaml|json  output format (default yaml)
`;

export interface RenderIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export function renderCommand(argv: string[], io: RenderIo): number {
  const args = parseArgs(argv, { filename: { value: true, alias: 'f' }, settings: { value: true }, output: { value: true, alias: 'o' }, help: { value: false, alias: 'h' } });
  if (args.switches.has('help')) {
    io.stdout(renderUsage);
    return 0;
  }
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}; pass files with -f`);
  const output = args.flags.get('output')?.at(-1) ?? 'yaml';
  if (output !== 'yaml' && output !== 'json') throw new UsageError(`--output must be yaml or json, not ${output}`);
  const settingsFiles = args.flags.get('settings') ?? [];
  if (settingsFiles.length > 1) throw new UsageError('--settings may be given once');

  const inputs = readInputs(args.flags.get('filename') ?? [], settingsFiles[0]);
  for (const note of inputs.notes) io.stderr(`note: ${note}\n`);
  const errors = [...inputs.errors];
  let settings = defaultCompileSettings();
  if (inputs.settings) {
    const r = resolveSettings(inputs.settings.value);
    if (r.ok) settings = r.settings;
    else for (const e of r.errors) errors.push(`${inputs.settings.origin}: ModuleConfig admission-policy-engine: spec.settings.${e.field}: ${e.message}`);
  }
  const desired = compile({ settings, policies: inputs.policies, namespaces: inputs.namespaces });
  for (const p of desired.policies) {
    for (const e of p.errors) errors.push(`${p.origin ?? '<input>'}: ${p.kind} "${p.name}": ${e.field}: ${e.message}`);
    for (const n of p.notes) io.stderr(`note: ${p.origin ?? '<input>'}: ${p.kind} "${p.name}": ${n}\n`);
  }
  for (const issue of desired.namespaceIssues) io.stderr(`warning: Namespace "${issue.namespace}": ${issue.message}\n`);
  if (errors.length > 0) {
    for (const e of errors) io.stderr(`error: ${e}\n`);
    return 1;
  }
  if (output === 'json') {
    io.stdout(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: desired.objects }, null, 2) + '\n');
  } else {
    io.stdout(desired.objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
  }
  return 0;
}
