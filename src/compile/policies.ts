// OperationPolicy / SecurityPolicy: one constraint per applicable check, named after the policy.
import type { OperationPolicies, PolicyMatch, SecurityPolicies } from '../api/types.js';
import { validatePolicy, type PolicySchemas } from '../api/validate.js';
import { NOT_YET_ENFORCED } from '../checks/index.js';
import type { Check, KindMatch, Parameters } from '../checks/types.js';
import { byKey, thenBy } from '../util/order.js';
import { kindsFor, makeConstraint } from './constraint.js';
import { referenceErrors, type VerifyingPolicy } from './image-signatures.js';
import { OPERATION_POLICY_LABEL, SECURITY_POLICY_LABEL, ownershipLabels } from './labels.js';
import { policyVariants } from './system-namespaces.js';
import type { Action, CompileSettings, Constraint, FieldError, LabelSelector, Match, PolicyInput, PolicyOutcome } from './types.js';

function isEmptySelector(s: LabelSelector | undefined): boolean {
  return !s || ((!s.matchLabels || Object.keys(s.matchLabels).length === 0) && (!s.matchExpressions || s.matchExpressions.length === 0));
}

/**
 * Gatekeeper match from the policy's match, as written (system namespaces: system-namespaces.ts).
 * `scope` is set only where the
 * caller knows every kind is namespaced: Gatekeeper never applies a `Namespaced` constraint to a
 * cluster-scoped object, and for a Namespace it matches the namespace criteria against the
 * Namespace itself, so kinds a policy names (watchKinds: /Namespace, rbac ClusterRole) get none.
 */
export function convertMatch(match: PolicyMatch, base: Pick<Match, 'kinds' | 'scope'>): Match {
  const out: Match = { kinds: base.kinds };
  if (base.scope) out.scope = base.scope;
  const ns = match.namespaceSelector;
  const names = ns?.matchNames ?? [];
  if (names.length > 0) out.namespaces = [...names];
  const excluded = ns?.excludeNames ?? [];
  if (excluded.length > 0) out.excludedNamespaces = [...excluded];
  if (ns?.labelSelector && !isEmptySelector(ns.labelSelector)) out.namespaceSelector = ns.labelSelector;
  if (match.labelSelector && !isEmptySelector(match.labelSelector)) out.labelSelector = match.labelSelector;
  return out;
}

/** Parameters and kind override of one check for one validated policy's `spec.policies`. */
function instantiate(check: Check, kind: PolicyInput['kind'], name: string, policies: object): { params: Parameters; kinds?: KindMatch[] } | undefined {
  // The source test narrows the check; the policies object is the validated spec of that kind.
  if (check.source === 'SecurityPolicy' && kind === 'SecurityPolicy' && check.fromPolicy) {
    const p = policies as SecurityPolicies;
    const params = check.fromPolicy(p, { name });
    return params && { params, kinds: check.kindsFromPolicy?.(p) };
  }
  if (check.source === 'OperationPolicy' && kind === 'OperationPolicy' && check.fromPolicy) {
    const p = policies as OperationPolicies;
    const params = check.fromPolicy(p);
    return params && { params, kinds: check.kindsFromPolicy?.(p) };
  }
  return undefined;
}

/** `spec.policies` blocks whose `watchKinds` name the kinds their constraint reviews. */
const WATCH_KIND_FIELDS = ['requiredLabels', 'requiredAnnotations'] as const;

/** Kinds a policy names that the cluster does not serve: its constraint would match nothing. */
function unservedKinds(policies: OperationPolicies, served: ReadonlySet<string>): FieldError[] {
  const out: FieldError[] = [];
  for (const field of WATCH_KIND_FIELDS) {
    (policies[field]?.watchKinds ?? []).forEach((wk, i) => {
      if (!served.has(wk)) {
        out.push({ field: `spec.policies.${field}.watchKinds[${i}]`, message: `${JSON.stringify(wk)} is not served by this cluster's API server, so nothing of that kind is reviewed; check the API group and kind (kubectl api-resources)` });
      }
    });
  }
  return out;
}

export function compilePolicy(
  input: PolicyInput,
  catalog: readonly Check[],
  settings: CompileSettings,
  schemas: PolicySchemas,
  servedKinds?: ReadonlySet<string>,
): { outcome: PolicyOutcome; constraints: Constraint[]; verifying?: VerifyingPolicy } {
  const rawName = input.metadata?.name;
  const name = typeof rawName === 'string' ? rawName : '';
  const generation = typeof input.metadata?.generation === 'number' ? input.metadata.generation : undefined;
  const outcome: PolicyOutcome = { kind: input.kind, name, generation, origin: input.origin, valid: false, errors: [], notes: [], unsupported: [], constraints: [] };
  const fail = (errors: FieldError[]) => {
    outcome.errors = errors;
    return { outcome, constraints: [] };
  };

  // Everything about validity (name, schema, ranges, selectors, match) is decided by validatePolicy.
  const validated = validatePolicy(input, schemas);
  if (!validated.ok) return fail(validated.errors);
  const spec = validated.policy.spec;
  const policies = spec.policies ?? {};
  const verifying = input.kind === 'SecurityPolicy' && ((policies as SecurityPolicies).verifyImageSignatures ?? []).length > 0
    ? { name, created: typeof input.metadata?.creationTimestamp === 'string' ? input.metadata.creationTimestamp : '', policies: policies as SecurityPolicies }
    : undefined;
  if (verifying) {
    const refErrors = referenceErrors(verifying.policies);
    if (refErrors.length > 0) return fail(refErrors);
  }
  const action = (spec.enforcementAction ?? 'Deny').toLowerCase() as Action;
  const sourceLabel = input.kind === 'SecurityPolicy' ? SECURITY_POLICY_LABEL : OPERATION_POLICY_LABEL;
  const labels = { ...ownershipLabels(input.kind, name), [sourceLabel]: '' };
  const constraints: Constraint[] = [];
  for (const check of catalog) {
    let instance;
    try {
      instance = instantiate(check, input.kind, name, policies);
    } catch (err) {
      // A catalog bug must not take other policies down: report it on this policy.
      const fields = check.source === 'BuiltIn' ? '' : check.fields.join(', ');
      return fail([{ field: `spec.policies (${fields})`, message: `internal error compiling ${check.kind}: ${err instanceof Error ? err.message : String(err)}` }]);
    }
    if (!instance) continue;
    const kinds = kindsFor(check, settings.controllerValidation, instance.kinds);
    // Catalog kinds are pod kinds and other namespaced kinds; kinds from the policy can be anything.
    const scope = instance.kinds ? undefined : 'Namespaced';
    for (const v of policyVariants(name, action, spec.match, convertMatch(spec.match, { kinds, scope }))) {
      constraints.push(makeConstraint(check, v.name, v.action, v.match, instance.params, labels));
    }
  }
  if (servedKinds && input.kind === 'OperationPolicy') {
    for (const e of unservedKinds(policies as OperationPolicies, servedKinds)) outcome.unsupported.push(e);
  }
  for (const [field, why] of Object.entries(NOT_YET_ENFORCED[input.kind])) {
    if ((policies as Record<string, unknown>)[field] !== undefined) outcome.unsupported.push({ field: `spec.policies.${field}`, message: `is accepted but not enforced: ${why}` });
  }
  if (constraints.length === 0 && outcome.unsupported.length === 0) outcome.notes.push('no check applies: spec.policies requests nothing that produces a constraint');
  outcome.valid = true;
  outcome.constraints = constraints.map((c) => ({ kind: c.kind, name: c.metadata.name })).sort(thenBy(byKey((c) => c.kind), byKey((c) => c.name)));
  return { outcome, constraints, verifying };
}
