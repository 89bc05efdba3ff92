// Gatekeeper's audit results, read back from our constraints and reported on the policies that
// generated them. Gatekeeper's audit writes into each constraint's status the total number of
// violations, at most `--constraint-violations-limit` (default 20) of them and the audit time.
// A user should not need to know which generated constraints belong to their policy: this module
// sums them per source policy (and, for the Pod Security Standards sets, per level and action).
// Pure; the caches keep only `AuditSummary` of each constraint (slim.ts), never the whole list.
import { CHECK_LABEL, SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../compile/labels.js';
import { byCodePoint } from '../util/order.js';

/** At most this many violations are listed in a policy's status (the total is always exact). */
export const VIOLATION_SAMPLE_MAX = 20;
/** Longest violation message kept in a status sample. */
const MESSAGE_MAX = 512;

export type AuditAction = 'deny' | 'warn' | 'dryrun';
const ACTIONS: readonly AuditAction[] = ['deny', 'warn', 'dryrun'];

export interface ViolationEntry {
  kind: string;
  namespace?: string;
  name: string;
  message: string;
  /** The generated constraint that found it (`Kind/name`): where a user can read the rest. */
  constraint: string;
}

/** What the caches keep of one constraint's audit status. */
export interface AuditSummary {
  total: number;
  /** RFC 3339 time of the audit run that wrote the status. */
  auditTimestamp?: string;
  action: AuditAction;
  violations: ViolationEntry[];
}

/** A policy's violations as its status reports them. */
export interface PolicyViolations {
  total: number;
  /** Totals per enforcement action (only actions with violations are listed). */
  byAction: Partial<Record<AuditAction, number>>;
  /** Oldest audit time over the policy's constraints: everything is at least this fresh. */
  auditTimestamp?: string;
  /** The first VIOLATION_SAMPLE_MAX violations in a fixed order. */
  sample: ViolationEntry[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function actionOf(v: unknown): AuditAction {
  const a = typeof v === 'string' ? v.toLowerCase() : '';
  return (ACTIONS as readonly string[]).includes(a) ? (a as AuditAction) : 'deny';
}

function clipMessage(m: string): string {
  return m.length <= MESSAGE_MAX ? m : `${m.slice(0, MESSAGE_MAX)}...`;
}

/**
 * The audit part of a live constraint, or undefined when no audit has reported on it yet.
 * `spec.enforcementAction` is the constraint's own action (Gatekeeper writes the same per entry).
 */
export function auditSummary(constraint: { kind?: string; metadata?: { name?: string }; spec?: unknown; status?: unknown }): AuditSummary | undefined {
  const status = constraint.status;
  if (!isObject(status) || typeof status.totalViolations !== 'number') return undefined;
  const spec = isObject(constraint.spec) ? constraint.spec : {};
  const name = `${constraint.kind ?? ''}/${constraint.metadata?.name ?? ''}`;
  const list = Array.isArray(status.violations) ? status.violations : [];
  const violations: ViolationEntry[] = [];
  for (const v of list.slice(0, VIOLATION_SAMPLE_MAX)) {
    if (!isObject(v)) continue;
    const entry: ViolationEntry = { kind: str(v.kind) ?? '', name: str(v.name) ?? '', message: clipMessage(str(v.message) ?? ''), constraint: name };
    const ns = str(v.namespace);
    if (ns) entry.namespace = ns;
    violations.push(entry);
  }
  const out: AuditSummary = { total: Math.max(0, Math.trunc(status.totalViolations)), action: actionOf(spec.enforcementAction), violations };
  const at = str(status.auditTimestamp);
  if (at) out.auditTimestamp = at;
  return out;
}

function entryOrder(a: ViolationEntry, b: ViolationEntry): number {
  return (
    byCodePoint(a.namespace ?? '', b.namespace ?? '') ||
    byCodePoint(a.kind, b.kind) ||
    byCodePoint(a.name, b.name) ||
    byCodePoint(a.constraint, b.constraint) ||
    byCodePoint(a.message, b.message)
  );
}

/** Sums audit summaries (of one policy's constraints) into what its status shows. */
export function mergeViolations(summaries: readonly AuditSummary[]): PolicyViolations {
  const byAction: Partial<Record<AuditAction, number>> = {};
  let total = 0;
  let oldest: string | undefined;
  const all: ViolationEntry[] = [];
  for (const s of summaries) {
    total += s.total;
    if (s.total > 0) byAction[s.action] = (byAction[s.action] ?? 0) + s.total;
    // RFC 3339 in UTC (as Gatekeeper writes it) orders as text.
    if (s.auditTimestamp && (oldest === undefined || byCodePoint(s.auditTimestamp, oldest) < 0)) oldest = s.auditTimestamp;
    for (const v of s.violations) all.push(v);
  }
  all.sort(entryOrder);
  const out: PolicyViolations = { total, byAction, sample: all.slice(0, VIOLATION_SAMPLE_MAX) };
  if (oldest) out.auditTimestamp = oldest;
  return out;
}

export interface LabelledAudit {
  labels: Readonly<Record<string, string>>;
  audit: AuditSummary;
}

/** `Kind/name` of the source a generated object's labels name (as policySourceKey for policies). */
function sourceOf(labels: Readonly<Record<string, string>>): string {
  const kind = labels[SOURCE_KIND_LABEL] ?? '';
  const name = labels[SOURCE_NAME_LABEL];
  return name ? `${kind}/${name}` : kind;
}

/**
 * Per source (`SecurityPolicy/<name>`, `OperationPolicy/<name>`, `PodSecurityStandard/<level>`,
 * `BuiltIn/<name>`), the merged audit results of the constraints carrying its ownership labels.
 */
export function violationsBySource(constraints: readonly LabelledAudit[]): Map<string, PolicyViolations> {
  const grouped = new Map<string, AuditSummary[]>();
  for (const c of constraints) {
    const key = sourceOf(c.labels);
    if (!key) continue;
    let list = grouped.get(key);
    if (!list) grouped.set(key, (list = []));
    list.push(c.audit);
  }
  const out = new Map<string, PolicyViolations>();
  for (const [key, list] of grouped) out.set(key, mergeViolations(list));
  return out;
}

/** Totals per check label and action over every constraint: the metrics' view. */
export function totalsByCheck(constraints: readonly LabelledAudit[]): { check: string; source: string; action: AuditAction; total: number }[] {
  const sums = new Map<string, { check: string; source: string; action: AuditAction; total: number }>();
  for (const c of constraints) {
    const check = c.labels[CHECK_LABEL] ?? '';
    const source = sourceOf(c.labels);
    const key = `${check}\u0000${source}\u0000${c.audit.action}`;
    const sum = sums.get(key);
    if (sum) sum.total += c.audit.total;
    else sums.set(key, { check, source, action: c.audit.action, total: c.audit.total });
  }
  return [...sums.values()].sort((a, b) => byCodePoint(a.source, b.source) || byCodePoint(a.check, b.check) || byCodePoint(a.action, b.action));
}
