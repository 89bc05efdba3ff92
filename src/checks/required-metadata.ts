// Shared shape of the OperationPolicy requiredLabels / requiredAnnotations checks: the reviewed
// object's own metadata must carry keys, optionally matching a regex, on the policy's watchKinds.
import type { OperationPolicies } from '../api/types.js';
import { byCodePoint } from '../util/order.js';
import { type OperationCheck, type KindMatch, podKinds } from './types.js';

/** `["apps/Deployment", "/Pod"]` -> match kinds grouped by API group (`""` is the core group). */
export function kindsFromWatchKinds(watchKinds: unknown): KindMatch[] | undefined {
  if (!Array.isArray(watchKinds) || watchKinds.length === 0) return undefined;
  const byGroup = new Map<string, string[]>();
  for (const wk of watchKinds) {
    if (typeof wk !== 'string') continue;
    const slash = wk.lastIndexOf('/');
    const group = slash >= 0 ? wk.slice(0, slash) : '';
    const kind = slash >= 0 ? wk.slice(slash + 1) : wk;
    if (!kind) continue;
    const kinds = byGroup.get(group) ?? [];
    if (!kinds.includes(kind)) kinds.push(kind);
    byGroup.set(group, kinds);
  }
  if (byGroup.size === 0) return undefined;
  return [...byGroup.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([group, kinds]) => ({ apiGroups: [group], kinds: kinds.sort(byCodePoint) }));
}

export function requiredMetadataCheck(opts: { kind: string; rego: string; field: 'requiredLabels' | 'requiredAnnotations'; param: 'labels' | 'annotations' }): OperationCheck {
  const { field, param } = opts;
  const block = (p: OperationPolicies) => {
    const v: unknown = p[field];
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  };
  return {
    kind: opts.kind,
    rego: opts.rego,
    engines: ['Rego'],
    description: `The object's own metadata.${param} carry every required key; when allowedRegex is set (applied as written, not anchored) the value matches it.`,
    parameters: {
      [param]: {
        type: 'array',
        items: { type: 'object', properties: { key: { type: 'string' }, allowedRegex: { type: 'string' } }, required: ['key'] },
      },
    },
    // Replaced by the policy's watchKinds (kindsFromPolicy); the Rego works for any kind.
    matches: podKinds,
    source: 'OperationPolicy',
    fields: [field],
    fromPolicy: (p) => {
      const list = block(p)?.[param];
      return Array.isArray(list) && list.length > 0 ? { [param]: list } : undefined;
    },
    kindsFromPolicy: (p) => kindsFromWatchKinds(block(p)?.watchKinds),
  };
}
