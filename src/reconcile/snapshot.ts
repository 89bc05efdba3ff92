// Pure: the cache contents the operator holds, turned into compile's Snapshot and plan's LiveState.
// No API calls, no clocks: unit-tested beside this file.
import type { KubernetesObject } from '../kube/watched.js';
import { resolveSettings } from '../compile/settings.js';
import { objectKey, type CompileSettings, type FieldError, type NamespaceInput, type PolicyInput } from '../compile/types.js';
import type { LiveObject } from './plan.js';

/** A cached Kubernetes object as the watch caches hold it (plain JSON). */
export type CachedObject = KubernetesObject & { spec?: unknown; status?: unknown };

/** Policy inputs from the two policy caches: the kind comes from the cache, not the object. */
export function policyInputs(security: readonly CachedObject[], operation: readonly CachedObject[]): PolicyInput[] {
  const out: PolicyInput[] = [];
  for (const o of security) out.push({ ...(o as Omit<PolicyInput, 'kind'>), kind: 'SecurityPolicy' });
  for (const o of operation) out.push({ ...(o as Omit<PolicyInput, 'kind'>), kind: 'OperationPolicy' });
  return out;
}

export function namespaceInputs(namespaces: readonly CachedObject[]): NamespaceInput[] {
  return namespaces.map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
}

/** Names of the templates Gatekeeper reports as created. */
export function readyTemplates(templates: readonly CachedObject[]): Set<string> {
  const out = new Set<string>();
  for (const t of templates) {
    if ((t.status as { created?: boolean } | undefined)?.created === true && t.metadata?.name) out.add(t.metadata.name);
  }
  return out;
}

/** Every live object we may own, by objectKey. */
export function liveObjects(lists: Iterable<readonly CachedObject[]>): Map<string, LiveObject> {
  const out = new Map<string, LiveObject>();
  for (const list of lists) {
    for (const o of list) {
      const obj = o as LiveObject;
      out.set(objectKey(obj), obj);
    }
  }
  return out;
}

export type SettingsResolution =
  | { settings: CompileSettings; errors?: undefined; unsupported: FieldError[] }
  | { settings: CompileSettings | undefined; errors: FieldError[]; unsupported?: undefined };

/**
 * Effective settings: the ModuleConfig's when valid; else the last valid ones (with the errors).
 * A replica that starts while the ModuleConfig is invalid has none: `settings` is undefined and
 * the caller changes nothing (the constraints in the cluster stay as they are) instead of
 * applying the defaults, which could be looser than what the cluster enforces.
 */
export function effectiveSettings(
  moduleConfig: CachedObject | undefined,
  lastGood: CompileSettings | undefined,
  gatekeeperNamespace: string,
): SettingsResolution {
  const raw = (moduleConfig?.spec as { settings?: unknown } | undefined)?.settings ?? {};
  const r = resolveSettings(raw);
  if (r.ok) return { settings: { ...r.settings, gatekeeperNamespace }, unsupported: r.unsupported };
  return { settings: lastGood, errors: r.errors };
}

/** Kinds OperationPolicies name in watchKinds (unvalidated input: anything not a string list is skipped). */
export function namedKinds(policies: readonly PolicyInput[]): string[] {
  const out = new Set<string>();
  for (const p of policies) {
    if (p.kind !== 'OperationPolicy') continue;
    const spec = p.spec as { policies?: Record<string, { watchKinds?: unknown } | undefined> } | undefined;
    for (const field of ['requiredLabels', 'requiredAnnotations']) {
      const list = spec?.policies?.[field]?.watchKinds;
      if (Array.isArray(list)) for (const k of list) if (typeof k === 'string') out.add(k);
    }
  }
  return [...out];
}
