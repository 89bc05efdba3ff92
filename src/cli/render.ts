// `render`: the main job without a cluster. Reads policies, the ModuleConfig and Namespaces from
// files and prints the complete desired object set, sorted and stable.
import { Scalar, stringify, type ScalarTag, type Tags } from 'yaml';
import { stringifyString, stringTag } from 'yaml/util';
import { compile } from '../compile/index.js';
import { packageAssets } from './assets.js';
import { resolveSettings, defaultCompileSettings } from '../compile/settings.js';
import { displayValue } from '../util/display.js';
import { parseCommandLine, UsageError } from '../util/args.js';
import { MAX_INPUT_DESCRIPTION, readInputs } from './inputs.js';
import { exceptionSchema } from './assets.js';
import { validateException } from '../api/validate.js';

export const renderUsage = `Usage: admission-policy-engine render [-f <file|dir>]... [--settings <file>] [-o yaml|json]

Compiles OperationPolicy and SecurityPolicy objects, Namespace labels and the
admission-policy-engine ModuleConfig into Gatekeeper ConstraintTemplates,
constraints and Config, printed to stdout. SecurityPolicyExceptions are checked
against their CRD (not rendered: Gatekeeper reads them from the cluster). Without -f it renders the Pod Security
Standards defaults. Other kinds in the input are ignored with a note on stderr.

  -f, --filename <path>   file or directory (recursive, .yaml/.yml/.json); repeatable
      --settings <file>   a ModuleConfig, or a bare settings mapping
  -o, --output yaml|json  output format (default yaml)

Files are read as kubectl reads them: YAML 1.1 (010 is 8, 0x1F is 31, yes/no/on/off
are booleans, << merges mappings), documents split at --- lines, UTF-8 (or UTF-16
with a byte order mark). Only regular files of at most ${MAX_INPUT_DESCRIPTION} are read.
`;

// Characters JSON.stringify (and so the yaml library's double-quoted style) leaves raw, but which
// go-yaml v2 (sigs.k8s.io/yaml: kubectl, gator, Gatekeeper) rejects as control characters (DEL,
// C1 controls, U+FFFE/U+FFFF) or reads as line breaks (NEL, U+2028, U+2029; also the BOM).
const GO_YAML_RAW_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
const GO_YAML_RAW_UNSAFE_ALL = new RegExp(GO_YAML_RAW_UNSAFE.source, 'g');
// go-yaml v2 resolves plain scalars with strconv after dropping every `_` (0o17, 0x_1F, -_3 are
// integers to it), beyond what YAML 1.1 calls a number: a string that starts like a number once
// underscores are dropped is always quoted.
const NUMBER_LIKE = /^[-+]?\.?[0-9]/;
// Block scalars go-yaml v2 misreads: a tab before the first content (rejected as indentation) or a
// line of only blanks (read back as an empty line). Such multi-line strings are double-quoted.
const BLOCK_UNSAFE = /^\s*\t|(^|\n)[ \t]+(\n|$)/;

/** Strings as go-yaml reads them back unchanged; every other type as the yaml library writes it. */
const goSafeString: ScalarTag = {
  ...stringTag,
  stringify(item, ctx, onComment, onChompKeep) {
    const value = String(item.value);
    if (GO_YAML_RAW_UNSAFE.test(value)) {
      // JSON escapes are YAML double-quoted escapes; add \uXXXX for what JSON leaves raw.
      return JSON.stringify(value).replace(GO_YAML_RAW_UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    }
    const quote = NUMBER_LIKE.test(value.replace(/_/g, '')) || (value.includes('\n') && BLOCK_UNSAFE.test(value));
    const node = quote ? Object.assign(new Scalar(value), { type: Scalar.QUOTE_DOUBLE }) : item;
    return stringifyString(node, { ...ctx, actualString: true }, onComment, onChompKeep);
  },
};

/**
 * The YAML stream `render` prints: one document per object, `---` between them. It must mean the
 * same to the Go readers that apply or test it (kubectl, gator: go-yaml v2, mostly YAML 1.1) as
 * to YAML 1.2 readers:
 * - YAML 1.1 rules: plain `y`, `on`, `no`, `1:30`, `1_000` or `2001-12-14` are booleans, numbers
 *   or timestamps there, so such strings are quoted (a label selector key `y` would become `true`);
 *   strings that start like a number are always quoted (go-yaml reads `0o17` as 15), and so are
 *   multi-line strings go-yaml would misread as block scalars.
 * - Characters go-yaml rejects or folds even inside quotes are written as \u escapes.
 * - No anchors/aliases: objects share sub-objects (a template schema reused for several
 *   parameters, PSS parameters shared by constraints); the output must read like any manifest.
 */
export function renderYaml(objects: readonly object[]): string {
  const customTags = (tags: Tags) => tags.map((t) => (typeof t === 'object' && t.tag === stringTag.tag ? goSafeString : t));
  return objects.map((o) => stringify(o, { version: '1.1', customTags, lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

export interface RenderIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export function renderCommand(argv: string[], io: RenderIo): number {
  const { values, positionals } = parseCommandLine(argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    settings: { type: 'string', multiple: true },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(renderUsage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${displayValue(positionals[0])}; pass files with -f`);
  const output = values.output ?? 'yaml';
  if (output !== 'yaml' && output !== 'json') throw new UsageError(`--output must be yaml or json, not ${displayValue(output)}`);
  const settingsFiles = values.settings ?? [];
  if (settingsFiles.length > 1) throw new UsageError('--settings may be given once');
  // Every line on stderr carries text from the input files (names, kinds, label values, paths,
  // values quoted in messages): escaped whole, so no input can start a line of its own (a forged
  // `::error::` in CI) or send terminal control sequences.
  const report = (level: 'note' | 'warning' | 'error', message: string) => io.stderr(`${level}: ${displayValue(message)}\n`);

  const inputs = readInputs(values.filename ?? [], settingsFiles[0]);
  for (const note of inputs.notes) report('note', note);
  const errors = [...inputs.errors];
  let settings = defaultCompileSettings();
  if (inputs.settings) {
    const r = resolveSettings(inputs.settings.value);
    // Error fields already start with `settings` (validateSettings prefixes them).
    const where = inputs.settings.bare ? inputs.settings.origin : `${inputs.settings.origin}: ModuleConfig admission-policy-engine`;
    const prefix = inputs.settings.bare ? '' : 'spec.';
    if (!r.ok) for (const e of r.errors) errors.push(`${where}: ${prefix}${e.field}: ${e.message}`);
    else {
      settings = r.settings;
      for (const u of r.unsupported) report('warning', `${where}: ${prefix}${u.field} ${u.message}`);
    }
  }
  const desired = compile({ settings, policies: inputs.policies, namespaces: inputs.namespaces }, packageAssets());
  for (const p of desired.policies) {
    for (const e of p.errors) errors.push(`${p.origin ?? '<input>'}: ${p.kind} "${p.name}": ${e.field}: ${e.message}`);
    for (const n of p.notes) report('note', `${p.origin ?? '<input>'}: ${p.kind} "${p.name}": ${n}`);
    for (const u of p.unsupported) report('warning', `${p.origin ?? '<input>'}: ${p.kind} "${p.name}": ${u.field} ${u.message}`);
  }
  for (const issue of desired.namespaceIssues) report('warning', `Namespace "${issue.namespace}": ${issue.message}`);
  if (inputs.exceptions.length > 0) {
    const schema = exceptionSchema();
    for (const e of inputs.exceptions) {
      const meta = (e.value.metadata ?? {}) as { name?: unknown; namespace?: unknown };
      const what = `${e.origin}: SecurityPolicyException "${typeof meta.name === 'string' ? meta.name : ''}"`;
      for (const f of validateException(e.value, schema)) errors.push(`${what}: ${f.field}: ${f.message}`);
      if (meta.namespace === undefined) report('note', `${what} has no metadata.namespace: kubectl applies it to the current namespace, and only Pods of that namespace can use it`);
    }
    report('note', `${inputs.exceptions.length} SecurityPolicyException(s) checked against their CRD; they are not rendered: Gatekeeper reads them from the cluster (the Config's sync list)`);
  }
  if (errors.length > 0) {
    for (const e of errors) report('error', e);
    return 1;
  }
  if (output === 'json') {
    io.stdout(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: desired.objects }, null, 2) + '\n');
  } else {
    io.stdout(renderYaml(desired.objects));
  }
  return 0;
}
