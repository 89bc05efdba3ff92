// Pure: what each policy's status and events should be after a reconcile. Conditions (Ready with
// reason and message, observedGeneration), the generated constraints and errors with field paths.
// The shell (report.ts) writes a status only when it differs from the live one.
import type { Condition, PolicyKind, PolicyStatus, ViolationsStatus } from '../api/types.js';
import { policySourceKey, type PolicyOutcome, type SourceKey } from '../compile/types.js';
import type { Action } from './plan.js';
import type { PolicyViolations } from './violations.js';
import type { EnforcedFact } from './enforced.js';

/** The status this operator writes: the API's PolicyStatus with every list present. */
export type ReportedStatus = PolicyStatus & Required<Pick<PolicyStatus, 'conditions' | 'constraints' | 'errors'>>;

/** What happened to a policy's constraints in this reconcile. */
export interface ApplyResult {
  waiting: number;
  failed: string[];
}

const timestamp = (now: () => Date) => now().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The audit figures in the status's field order; `lastChangeTime` moves only when they change. */
function violationsStatus(v: PolicyViolations | undefined, live: ViolationsStatus | undefined, now: () => Date): ViolationsStatus | undefined {
  if (!v) return undefined;
  const next: ViolationsStatus = { total: v.total, lastChangeTime: '', sample: v.sample };
  for (const action of ['deny', 'warn', 'dryrun'] as const) if (v.byAction[action]) next[action] = v.byAction[action];
  const same = live !== undefined && JSON.stringify(normaliseViolations(live)) === JSON.stringify(normaliseViolations(next));
  next.lastChangeTime = same ? live.lastChangeTime : timestamp(now);
  return next;
}

function normaliseViolations(v: Partial<ViolationsStatus> | undefined): unknown {
  if (!v) return null;
  return {
    total: v.total ?? 0, deny: v.deny ?? 0, warn: v.warn ?? 0, dryrun: v.dryrun ?? 0,
    sample: (v.sample ?? []).map((e) => ({ kind: e.kind, namespace: e.namespace ?? null, name: e.name, message: e.message, constraint: e.constraint })),
  };
}

export function desiredStatus(
  outcome: PolicyOutcome,
  result: ApplyResult,
  live: Partial<ReportedStatus> | undefined,
  now: () => Date,
  violations?: PolicyViolations,
  enforced?: EnforcedFact,
): ReportedStatus {
  let status: Condition['status'];
  let reason: string;
  let message: string;
  if (!outcome.valid) {
    status = 'False';
    reason = 'Invalid';
    const first = outcome.errors[0];
    message = `${first ? `${first.field}: ${first.message}` : 'invalid'}${outcome.errors.length > 1 ? ` (and ${outcome.errors.length - 1} more, see status.errors)` : ''}; the constraints applied before stay in force until it is fixed`;
  } else if (result.failed.length > 0) {
    status = 'False';
    reason = 'ApplyFailed';
    message = `could not apply: ${result.failed.join('; ')}`;
  } else if (result.waiting > 0) {
    status = 'False';
    reason = 'Pending';
    message = `${result.waiting} constraint(s) wait for Gatekeeper to create their templates`;
  } else if (outcome.unsupported.length > 0) {
    // Never a silent success: the policy asks for something that is not enforced.
    status = 'False';
    reason = 'Unsupported';
    const fields = outcome.unsupported.map((u) => `${u.field} ${u.message}`).join('; ');
    message = `not fully enforced: ${fields}; the other ${outcome.constraints.length} constraint(s) are in place`;
  } else {
    status = 'True';
    reason = 'Applied';
    message = outcome.constraints.length === 0 ? 'no check applies; no constraints' : `${outcome.constraints.length} constraint(s) in place`;
  }
  const previous = live?.conditions?.find((c) => c.type === 'Ready');
  const lastTransitionTime = previous && previous.status === status ? previous.lastTransitionTime : timestamp(now);
  const conditions: Condition[] = [{ type: 'Ready', status, reason, message, observedGeneration: outcome.generation, lastTransitionTime }];
  if (enforced) {
    const value: Condition['status'] = enforced.status ? 'True' : 'False';
    const before = live?.conditions?.find((c) => c.type === 'Enforced');
    conditions.push({
      type: 'Enforced', status: value, reason: enforced.reason, message: enforced.message, observedGeneration: outcome.generation,
      lastTransitionTime: before && before.status === value ? before.lastTransitionTime : timestamp(now),
    });
  }
  const out: ReportedStatus = {
    observedGeneration: outcome.generation,
    conditions,
    // An invalid policy keeps its old constraints: report those, not an empty list.
    constraints: outcome.valid ? outcome.constraints : (live?.constraints ?? []),
    errors: outcome.errors,
  };
  const audited = violationsStatus(violations, live?.violations, now);
  if (audited) out.violations = audited;
  return out;
}

// Rebuilt field by field in a fixed key order: the API server returns objects with their keys
// sorted, so comparing JSON of the live status with our own (differently ordered) one would never
// match and every reconcile would patch the status again.
function normalise(s: Partial<ReportedStatus> | undefined): unknown {
  if (!s) return undefined;
  return {
    observedGeneration: s.observedGeneration ?? null,
    conditions: (s.conditions ?? []).map((c) => ({
      type: c.type, status: c.status, reason: c.reason, message: c.message,
      observedGeneration: c.observedGeneration ?? null, lastTransitionTime: c.lastTransitionTime,
    })),
    constraints: (s.constraints ?? []).map((c) => ({ kind: c.kind, name: c.name })),
    errors: (s.errors ?? []).map((e) => ({ field: e.field, message: e.message })),
    violations: s.violations ? { ...(normaliseViolations(s.violations) as object), lastChangeTime: s.violations.lastChangeTime } : null,
  };
}

export function statusEqual(a: Partial<ReportedStatus> | undefined, b: Partial<ReportedStatus> | undefined): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

/** Per policy: how many of its constraints wait and which writes failed, from the executed actions. */
export function resultsBySource(actions: readonly Action[], failed: ReadonlyMap<Action, string>): Map<SourceKey, ApplyResult> {
  const out = new Map<SourceKey, ApplyResult>();
  const resultFor = (source: SourceKey) => {
    let r = out.get(source);
    if (!r) out.set(source, (r = { waiting: 0, failed: [] }));
    return r;
  };
  for (const action of actions) {
    if (!action.source) continue;
    if (action.type === 'wait') resultFor(action.source).waiting += 1;
    const error = failed.get(action);
    if (error !== undefined) resultFor(action.source).failed.push(error);
  }
  return out;
}

export interface PolicyReport {
  kind: PolicyKind;
  name: string;
  /** The status to hold; `write` says whether it differs from the live one. */
  status: ReportedStatus;
  write: boolean;
  /** Warning to record (invalid policy), if any. */
  warning?: { reason: string; message: string };
  /** Normal event summarising the constraints written for it, if any were and all succeeded. */
  changed?: string;
}

/**
 * Status and events of every existing policy after a reconcile. `liveStatus` gives the status the
 * API server holds for a policy, or `null` when the policy no longer exists (nothing to report).
 */
export function policyReports(
  outcomes: readonly PolicyOutcome[],
  actions: readonly Action[],
  failed: ReadonlyMap<Action, string>,
  liveStatus: (kind: PolicyKind, name: string) => Partial<ReportedStatus> | undefined | null,
  now: () => Date,
  violations: (source: SourceKey) => PolicyViolations | undefined = () => undefined,
  enforced: (source: SourceKey) => EnforcedFact | undefined = () => undefined,
): PolicyReport[] {
  const results = resultsBySource(actions, failed);
  const reports: PolicyReport[] = [];
  for (const outcome of outcomes) {
    if (!outcome.name) continue;
    const live = liveStatus(outcome.kind, outcome.name);
    if (live === null) continue;
    const source = policySourceKey(outcome.kind, outcome.name);
    const result = results.get(source) ?? { waiting: 0, failed: [] };
    const status = desiredStatus(outcome, result, live, now, violations(source), enforced(source));
    const report: PolicyReport = { kind: outcome.kind, name: outcome.name, status, write: !statusEqual(live, status) };
    if (!outcome.valid) report.warning = { reason: 'InvalidPolicy', message: status.conditions[0].message };
    else if (outcome.unsupported.length > 0) report.warning = { reason: 'Unsupported', message: status.conditions[0].message };
    const written = actions.filter((a) => a.type !== 'wait' && a.source === source);
    if (written.length > 0 && result.failed.length === 0) {
      report.changed = written.map((a) => `${a.type === 'delete' ? 'deleted' : 'applied'} ${a.object.kind}/${a.object.metadata.name}`).join(', ');
    }
    reports.push(report);
  }
  return reports;
}
