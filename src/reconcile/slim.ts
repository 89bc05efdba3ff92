// What the operator's caches keep of each object: only the fields compile, plan, status and events
// read. Everything else (managedFields, last-applied annotations, Gatekeeper's per-pod status and
// audit violations, namespace specs) would cost memory in proportion to the cluster and, on every
// status write by Gatekeeper, a useless reconcile. Pure; applied on receipt by the watch caches.
import type { KubernetesObject } from '../kube/watched.js';
import { auditSummary } from './violations.js';

type Obj = KubernetesObject & { spec?: unknown; status?: unknown; [k: string]: unknown };

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function meta(o: Obj, keep: { labels?: boolean; annotations?: boolean; generation?: boolean; created?: boolean }): Obj['metadata'] {
  const m = o.metadata ?? {};
  const out: NonNullable<Obj['metadata']> = { name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  if (m.namespace !== undefined) out.namespace = m.namespace;
  if (keep.generation && m.generation !== undefined) out.generation = m.generation;
  const created = (m as { creationTimestamp?: unknown }).creationTimestamp;
  if (keep.created && created !== undefined) (out as Record<string, unknown>).creationTimestamp = created;
  if (keep.labels && m.labels) out.labels = m.labels;
  if (keep.annotations && m.annotations) {
    const { [LAST_APPLIED]: _dropped, ...rest } = m.annotations;
    if (Object.keys(rest).length > 0) out.annotations = rest;
  }
  return out;
}

/** Namespaces: name and labels (PSS level and action, policy namespace selectors). */
export function slimNamespace(o: Obj): Obj {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: meta(o, { labels: true }) };
}

/**
 * Policies and the ModuleConfig: the whole spec (compiled) and status (compared before writing);
 * the creation time orders SecurityPolicies whose image references intersect (the older one wins).
 */
export function slimPolicy(o: Obj): Obj {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: meta(o, { generation: true, labels: true, created: true }), spec: o.spec, status: o.status };
}

/**
 * Our generated objects: what plan compares (metadata, spec), whether Gatekeeper created a template
 * and, for constraints, the audit result (total, action, the listed violations). The audit time is
 * dropped on purpose: Gatekeeper rewrites it on every audit run, and a cache entry that changes
 * only there must not wake the controller (the result is what policies report).
 */
export function slimGenerated(o: Obj): Obj {
  const out: Obj = { apiVersion: o.apiVersion, kind: o.kind, metadata: meta(o, { labels: true, annotations: true, generation: true }) };
  if (o.spec !== undefined) out.spec = o.spec;
  const status: Record<string, unknown> = {};
  const created = (o.status as { created?: unknown } | undefined)?.created;
  if (created !== undefined) status.created = created;
  if (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('constraints.gatekeeper.sh/')) {
    // Whether every Gatekeeper pod reports the constraint enforced (the policies' `Enforced`
    // condition); the per-pod entries themselves change with every Gatekeeper restart.
    const byPod = (o.status as { byPod?: { enforced?: unknown }[] } | undefined)?.byPod;
    status.enforced = Array.isArray(byPod) && byPod.length > 0 && byPod.every((p) => p?.enforced === true);
    const audit = auditSummary(o);
    if (audit) {
      delete audit.auditTimestamp;
      status.audit = audit;
    }
  }
  if (Object.keys(status).length > 0) out.status = status;
  return out;
}
