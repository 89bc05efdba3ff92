// OperationPolicy / SecurityPolicy: one constraint per applicable check, named after the policy.
import type { Check } from '../checks/types.js';
import { validatePolicy } from '../api/validate.js';
import { kindsFor, makeConstraint } from './constraint.js';
import { OPERATION_POLICY_LABEL, SECURITY_POLICY_LABEL, ownershipLabels } from './labels.js';
import { SYSTEM_NAMESPACE_PATTERNS, isSystemNamespace } from './names.js';
import type { Action, CompileSettings, Constraint, FieldError, LabelSelector, Match, PolicyInput, PolicyOutcome } from './types.js';

interface PolicyMatch {
  namespaceSelector?: { matchNames?: string[]; excludeNames?: string[]; labelSelector?: LabelSelector };
  labelSelector?: LabelSelector;
}

function isEmptySelector(s: LabelSelector | undefined): boolean {
  return !s || ((!s.matchLabels || Object.keys(s.matchLabels).length === 0) && (!s.matchExpressions || s.matchExpressions.length === 0));
}

/**
 * Gatekeeper's own schema for constraint `match.namespaces` / `match.excludedNamespaces` items
 * (pkg/target/matchcrd_constant.go). Our CRD accepts any string there, so a name outside this
 * pattern would pass policy validation and then make the API server (and gator) reject the
 * generated constraint: it is reported on the policy instead.
 */
const GATEKEEPER_NAMESPACE_GLOB = /^\*?[-:a-z0-9]*\*?$/;

/** Checks the schema cannot express. */
function semanticErrors(match: PolicyMatch | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const ns = match?.namespaceSelector;
  if (!match || (!ns && !match.labelSelector)) {
    errors.push({ field: 'spec.match', message: 'must set namespaceSelector or labelSelector; an empty match would select every object in every namespace' });
    return errors;
  }
  for (const list of ['matchNames', 'excludeNames'] as const) {
    (ns?.[list] ?? []).forEach((name, i) => {
      if (!GATEKEEPER_NAMESPACE_GLOB.test(name)) {
        errors.push({
          field: `spec.match.namespaceSelector.${list}[${i}]`,
          message: `${JSON.stringify(name)} is not a namespace name or glob: use lower-case letters, digits, '-' and ':', optionally starting and/or ending with "*"`,
        });
      }
    });
  }
  if (ns && !ns.matchNames?.length && !ns.excludeNames?.length && isEmptySelector(ns.labelSelector)) {
    errors.push({ field: 'spec.match.namespaceSelector', message: 'set matchNames, excludeNames or a non-empty labelSelector (to select every namespace use matchNames: ["*"])' });
  }
  if (match.labelSelector && isEmptySelector(match.labelSelector) && !ns) {
    errors.push({ field: 'spec.match.labelSelector', message: 'is empty; add matchLabels or matchExpressions, or use namespaceSelector' });
  }
  return errors;
}

/**
 * Gatekeeper match from the policy's match. System namespaces are excluded unless the policy
 * names one explicitly in matchNames (then the author asked for it).
 */
export function convertMatch(match: PolicyMatch, base: Pick<Match, 'kinds'>): Match {
  const out: Match = { kinds: base.kinds, scope: 'Namespaced' };
  const ns = match.namespaceSelector;
  const names = ns?.matchNames ?? [];
  if (names.length > 0) out.namespaces = [...names];
  const namesSystem = names.some(isSystemNamespace);
  const excluded = [...(ns?.excludeNames ?? [])];
  if (!namesSystem) for (const p of SYSTEM_NAMESPACE_PATTERNS) if (!excluded.includes(p)) excluded.push(p);
  if (excluded.length > 0) out.excludedNamespaces = excluded;
  if (ns?.labelSelector && !isEmptySelector(ns.labelSelector)) out.namespaceSelector = ns.labelSelector;
  if (match.labelSelector && !isEmptySelector(match.labelSelector)) out.labelSelector = match.labelSelector;
  return out;
}

export function compilePolicy(
  input: PolicyInput,
  catalog: readonly Check[],
  settings: CompileSettings,
): { outcome: PolicyOutcome; constraints: Constraint[] } {
  const rawName = input.metadata?.name;
  const name = typeof rawName === 'string' ? rawName : '';
  const generation = typeof input.metadata?.generation === 'number' ? input.metadata.generation : undefined;
  const outcome: PolicyOutcome = { kind: input.kind, name, generation, origin: input.origin, valid: false, errors: [], notes: [], constraints: [] };
  const fail = (errors: FieldError[]) => {
    outcome.errors = errors;
    return { outcome, constraints: [] };
  };

  // The name (required, DNS-1123, at most 63 characters as it names the constraints, no reserved
  // prefix) is checked by validatePolicy with everything else.
  const validated = validatePolicy(input);
  if (!validated.ok) return fail(validated.errors);
  const spec = (validated.policy as { spec: { enforcementAction?: string; policies?: Record<string, unknown>; match?: PolicyMatch } }).spec;
  const semantic = semanticErrors(spec.match);
  if (semantic.length > 0) return fail(semantic);

  const policies = spec.policies ?? {};
  const action = (spec.enforcementAction ?? 'Deny').toLowerCase() as Action;
  const sourceLabel = input.kind === 'SecurityPolicy' ? SECURITY_POLICY_LABEL : OPERATION_POLICY_LABEL;
  const labels = { ...ownershipLabels(input.kind, name), [sourceLabel]: '' };
  const constraints: Constraint[] = [];
  for (const check of catalog) {
    if (check.source !== input.kind || !check.fromPolicy) continue;
    let params: Record<string, unknown> | undefined;
    let kindsOverride;
    try {
      params = check.fromPolicy(policies);
      kindsOverride = check.kindsFromPolicy?.(policies);
    } catch (err) {
      // A catalog bug must not take other policies down: report it on this policy.
      return fail([{ field: `spec.policies (${check.fields.join(', ')})`, message: `internal error compiling ${check.kind}: ${err instanceof Error ? err.message : String(err)}` }]);
    }
    if (params === undefined) continue;
    const kinds = kindsFor(check, input.kind === 'OperationPolicy' ? true : settings.controllerValidation, kindsOverride);
    constraints.push(makeConstraint(check, name, action, convertMatch(spec.match!, { kinds }), params, labels));
  }
  if (constraints.length === 0) outcome.notes.push('no check applies: spec.policies requests nothing that produces a constraint');
  outcome.valid = true;
  outcome.constraints = constraints.map((c) => ({ kind: c.kind, name: c.metadata.name })).sort((a, b) => a.kind.localeCompare(b.kind));
  return { outcome, constraints };
}
