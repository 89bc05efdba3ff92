// `report`: Gatekeeper's audit results per policy, for people who would rather read than query.
// Reads our constraints from a cluster (every constraint kind of the catalog, our label) or from
// files (`kubectl get constraints -o yaml` output), sums their audit status per source policy
// (src/reconcile/violations.ts, the same code the operator's status uses) and prints a table.
import { catalog } from '../checks/index.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../compile/labels.js';
import { ApiError, KubeClient, listAll } from '../kube/client.js';
import { auditSummary, violationsBySource, type LabelledAudit, type PolicyViolations } from '../reconcile/violations.js';
import { displayValue } from '../util/display.js';
import { byCodePoint } from '../util/order.js';
import { parseCommandLine, UsageError } from '../util/args.js';
import { readObjectFiles } from './inputs.js';

export const reportUsage = `Usage: admission-policy-engine report [--kubeconfig <file> | -f <file|dir>...] [-o table|json]

Prints the violations Gatekeeper's audit found, per policy: totals by enforcement
action, the audit time and the violations Gatekeeper listed (at most 20 per
constraint; the totals are exact). Policies without violations are listed with 0.

  -f, --filename <path>   read constraints from files (e.g. kubectl get <kind> -o yaml); repeatable
      --kubeconfig <file> read constraints from the cluster (default: $KUBECONFIG, else in-cluster)
  -o, --output table|json output format (default table)
`;

const CONSTRAINTS_PATH = '/apis/constraints.gatekeeper.sh/v1beta1';
const MESSAGE_WIDTH = 120;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Our constraints' audit status, with their labels. Constraints never audited yet count as 0. */
function audits(constraints: readonly Obj[]): LabelledAudit[] {
  const out: LabelledAudit[] = [];
  for (const c of constraints) {
    const metadata = isObject(c.metadata) ? c.metadata : {};
    const labels = isObject(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
    if (labels[MANAGED_BY_LABEL] !== MANAGED_BY) continue;
    const audit = auditSummary(c) ?? { total: 0, action: 'deny' as const, violations: [] };
    out.push({ labels, audit });
  }
  return out;
}

async function fromCluster(kubeconfig: string | undefined): Promise<Obj[]> {
  const client = kubeconfig ? KubeClient.fromKubeconfigFile(kubeconfig.split(':')[0]) : KubeClient.inCluster();
  const kinds = [...new Set(catalog.map((c) => c.kind))];
  const out: Obj[] = [];
  for (const kind of kinds) {
    try {
      const list = await listAll<Obj>(client, `${CONSTRAINTS_PATH}/${kind.toLowerCase()}`, { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
      // Lists carry no kind per item: put it back for the constraint's name in the report.
      for (const item of list.items) out.push({ ...item, kind });
    } catch (err) {
      // A template not in use has no constraint kind: nothing to report for it.
      if (err instanceof ApiError && err.code === 404) continue;
      throw err;
    }
  }
  return out;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 3)}...`);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatReport(bySource: ReadonlyMap<string, PolicyViolations>): string {
  const sources = [...bySource.keys()].sort(byCodePoint);
  if (sources.length === 0) return 'No constraints of admission-policy-engine found.\n';
  const summary: string[][] = [['SOURCE', 'TOTAL', 'DENY', 'WARN', 'DRYRUN', 'AUDITED']];
  const detail: string[][] = [['SOURCE', 'NAMESPACE', 'OBJECT', 'CONSTRAINT', 'MESSAGE']];
  for (const source of sources) {
    const v = bySource.get(source)!;
    const n = (a: 'deny' | 'warn' | 'dryrun') => String(v.byAction[a] ?? 0);
    summary.push([displayValue(source), String(v.total), n('deny'), n('warn'), n('dryrun'), v.auditTimestamp ?? 'not audited yet']);
    for (const e of v.sample) {
      detail.push([displayValue(source), displayValue(e.namespace ?? '-'), displayValue(`${e.kind}/${e.name}`), displayValue(e.constraint), cut(displayValue(e.message), MESSAGE_WIDTH)]);
    }
  }
  let out = table(summary);
  if (detail.length > 1) out += `\n${table(detail)}`;
  return out;
}

export async function reportCommand(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const { values } = parseCommandLine(argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    kubeconfig: { type: 'string' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(reportUsage);
    return 0;
  }
  const output = (values.output) ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`-o must be table or json, got "${output}"`);
  const files = (values.filename) ?? [];
  if (files.length > 0 && values.kubeconfig !== undefined) throw new UsageError('use either -f (files) or --kubeconfig (a cluster), not both');
  let constraints: Obj[];
  if (files.length > 0) {
    const read = readObjectFiles(files);
    for (const note of read.notes) io.stderr(`note: ${note}\n`);
    for (const error of read.errors) io.stderr(`error: ${error}\n`);
    if (read.errors.length > 0) return 1;
    constraints = read.objects.map((o) => o.value).filter((o) => typeof o.apiVersion === 'string' && o.apiVersion.startsWith('constraints.gatekeeper.sh/'));
  } else {
    constraints = await fromCluster((values.kubeconfig) ?? process.env.KUBECONFIG);
  }
  const bySource = violationsBySource(audits(constraints));
  if (output === 'json') {
    const sorted = [...bySource.keys()].sort(byCodePoint).map((source) => ({ source, ...bySource.get(source)! }));
    io.stdout(`${JSON.stringify({ sources: sorted }, null, 2)}\n`);
  } else {
    io.stdout(formatReport(bySource));
  }
  return 0;
}
