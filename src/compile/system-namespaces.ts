// System namespaces (`d8-*`, `kube-*`) in user policies, as the reference splits them (§5.3): a
// constraint has one action and cannot OR namespace lists, so a Deny policy that can reach system
// namespaces becomes up to three constraints per check:
//   <name>                    the policy's action, user namespaces only (system globs excluded);
//   d8-system-warn-<name>     warn, in the system namespaces it reaches that did not opt in;
//   d8-system-enforce-<name>  the policy's action, in the system namespaces that opted in with
//                             security.deckhouse.io/enable-security-policy-check=true.
// A policy that names only system namespaces keeps its name on the enforcing variant. Warn and
// dryrun policies, policies that reach no system namespace, and those whose reach cannot be
// decided (a suffix glob such as `*-system`) stay one constraint with the policy's own match.
import type { PolicyMatch } from '../api/types.js';
import { globCovers } from '../util/namespace-glob.js';
import { ENABLE_SYSTEM_CHECK_LABEL } from './labels.js';
import { SYSTEM_NAMESPACE_PREFIXES, labelValue } from './names.js';
import type { Action, LabelSelector, Match } from './types.js';

const SYSTEM_PREFIXES = SYSTEM_NAMESPACE_PREFIXES;

/**
 * The system namespaces (as globs) a namespace list can reach, minus those it excludes; or
 * `undecidable` when a suffix or infix glob might match system namespaces and might not.
 */
export function systemReach(matchNames: readonly string[] | undefined, excludeNames: readonly string[] = []): string[] | 'undecidable' {
  const reach: string[] = [];
  for (const name of matchNames && matchNames.length > 0 ? matchNames : ['*']) {
    if (name === '*') {
      reach.push(...SYSTEM_PREFIXES.map((p) => `${p}*`));
    } else if (name.startsWith('*')) {
      return 'undecidable';
    } else if (name.endsWith('*')) {
      const prefix = name.slice(0, -1);
      for (const p of SYSTEM_PREFIXES) {
        if (prefix.startsWith(p)) reach.push(name); // narrower than a system prefix: itself
        else if (p.startsWith(prefix)) reach.push(`${p}*`); // wider (`d*`, `kube*`): the system prefix
      }
    } else if (SYSTEM_PREFIXES.some((p) => name.startsWith(p))) {
      reach.push(name);
    }
  }
  const kept = reach.filter((g) => !excludeNames.some((e) => globCovers(e, g)));
  return [...new Set(kept)];
}

/** Whether every namespace the list names is a system namespace. */
function onlySystem(matchNames: readonly string[] | undefined): boolean {
  return !!matchNames && matchNames.length > 0 && matchNames.every((n) => n !== '*' && !n.startsWith('*') && SYSTEM_PREFIXES.some((p) => n.startsWith(p)));
}

function withExpression(selector: LabelSelector | undefined, value: 'In' | 'NotIn'): LabelSelector {
  const expr = { key: ENABLE_SYSTEM_CHECK_LABEL, operator: value, values: ['true'] } as const;
  return { ...selector, matchExpressions: [...(selector?.matchExpressions ?? []), { ...expr, values: [...expr.values] }] };
}

/** The match with its keys in the order convertMatch writes them: rendered YAML stays stable. */
function ordered(m: Match): Match {
  const out: Match = { kinds: m.kinds };
  for (const k of ['scope', 'namespaces', 'excludedNamespaces', 'namespaceSelector', 'labelSelector'] as const) {
    if (m[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = m[k];
  }
  return out;
}

export interface Variant {
  name: string;
  action: Action;
  match: Match;
}

/**
 * The constraints (name, action, match) a policy becomes per check. `base` is the policy's match
 * converted for Gatekeeper (kinds, scope, namespaces, selectors) without any system rule.
 */
export function policyVariants(name: string, action: Action, policyMatch: PolicyMatch, base: Match): Variant[] {
  const single = [{ name, action, match: base }];
  if (action !== 'deny') return single;
  const ns = policyMatch.namespaceSelector;
  const reach = systemReach(ns?.matchNames, ns?.excludeNames);
  if (reach === 'undecidable' || reach.length === 0) return single;
  const system = (value: 'In' | 'NotIn'): Match => ordered({ ...base, namespaces: reach, namespaceSelector: withExpression(base.namespaceSelector, value) });
  const warn: Variant = { name: labelValue(`d8-system-warn-${name}`), action: 'warn', match: system('NotIn') };
  if (onlySystem(ns?.matchNames)) return [{ name, action, match: system('In') }, warn];
  const excluded = [...(base.excludedNamespaces ?? [])];
  for (const p of SYSTEM_PREFIXES) if (!excluded.includes(`${p}*`)) excluded.push(`${p}*`);
  return [
    { name, action, match: ordered({ ...base, excludedNamespaces: excluded }) },
    warn,
    { name: labelValue(`d8-system-enforce-${name}`), action, match: system('In') },
  ];
}
