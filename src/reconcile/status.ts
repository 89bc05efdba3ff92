// Policy status: conditions (Ready with reason and message, observedGeneration), the generated
// constraints and errors with field paths. Computed purely; written only when it differs.
import type { FieldError, PolicyOutcome } from '../compile/types.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface PolicyStatus {
  observedGeneration?: number;
  conditions: Condition[];
  constraints: { kind: string; name: string }[];
  errors: FieldError[];
}

/** What happened to a policy's constraints in this reconcile. */
export interface ApplyResult {
  waiting: number;
  failed: string[];
}

export function desiredStatus(outcome: PolicyOutcome, result: ApplyResult, live: PolicyStatus | undefined, now: () => Date): PolicyStatus {
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
  } else {
    status = 'True';
    reason = 'Applied';
    message = outcome.constraints.length === 0 ? 'no check applies; no constraints' : `${outcome.constraints.length} constraint(s) in place`;
  }
  const previous = live?.conditions?.find((c) => c.type === 'Ready');
  const lastTransitionTime = previous && previous.status === status ? previous.lastTransitionTime : now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    observedGeneration: outcome.generation,
    conditions: [{ type: 'Ready', status, reason, message, observedGeneration: outcome.generation, lastTransitionTime }],
    // An invalid policy keeps its old constraints: report those, not an empty list.
    constraints: outcome.valid ? outcome.constraints : (live?.constraints ?? []),
    errors: outcome.errors,
  };
}

// Rebuilt field by field in a fixed key order: the API server returns objects with their keys
// sorted, so comparing JSON of the live status with our own (differently ordered) one would never
// match and every reconcile would patch the status again.
function normalise(s: PolicyStatus | undefined): unknown {
  if (!s) return undefined;
  return {
    observedGeneration: s.observedGeneration ?? null,
    conditions: (s.conditions ?? []).map((c) => ({
      type: c.type, status: c.status, reason: c.reason, message: c.message,
      observedGeneration: c.observedGeneration ?? null, lastTransitionTime: c.lastTransitionTime,
    })),
    constraints: (s.constraints ?? []).map((c) => ({ kind: c.kind, name: c.name })),
    errors: (s.errors ?? []).map((e) => ({ field: e.field, message: e.message })),
  };
}

export function statusEqual(a: PolicyStatus | undefined, b: PolicyStatus | undefined): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}
