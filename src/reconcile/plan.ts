// plan(desired, live) -> ordered actions: a pure diff over plain data. Creates and updates in
// dependency order (templates, then Gatekeeper config, then constraints whose template is ready),
// deletes of objects we own that are no longer desired, nothing for objects already as desired.
// Every action names the policy it serves (`source`), so status and events need no label parsing.
import { createHash } from 'node:crypto';
import { MANAGED_BY, MANAGED_BY_LABEL, SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../compile/labels.js';
import { objectKey, type GeneratedObject, type SourceKey } from '../compile/types.js';
import { byCodePoint } from '../util/order.js';

/** Hash of the desired content we last applied: a changed hash means "apply again". */
export const DESIRED_HASH_ANNOTATION = 'admission-policy-engine.deckhouse.io/desired-hash';

export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number; resourceVersion?: string };
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export interface LiveState {
  /** Objects we may own, by objectKey. Only those carrying our managed-by label are pruned. */
  objects: ReadonlyMap<string, LiveObject>;
  /** Names of templates for which Gatekeeper reports `status.created`. */
  readyTemplates: ReadonlySet<string>;
  /** False while any list behind `objects` is incomplete: then nothing is pruned. */
  complete: boolean;
  /**
   * objectKey -> resourceVersion the server returned for our own last apply. A live object still
   * at that version differs from the desired one only by the server's normalisation, not drift:
   * applying again would loop forever.
   */
  accepted: ReadonlyMap<string, string>;
}

export interface DesiredState {
  objects: readonly GeneratedObject[];
  /** objectKey -> the policy an object serves (see compile's Desired.sources). */
  sources: ReadonlyMap<string, SourceKey>;
}

export type Action =
  | { type: 'apply'; object: GeneratedObject; reason: 'create' | 'update' | 'drift'; source?: SourceKey }
  | { type: 'delete'; object: LiveObject; source?: SourceKey }
  | { type: 'wait'; object: GeneratedObject; reason: string; source?: SourceKey };

export interface PlanOptions {
  /** Policies whose live objects must be kept even if not desired (invalid policies keep enforcing). */
  retainSources: ReadonlySet<SourceKey>;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => byCodePoint(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function desiredHash(obj: GeneratedObject): string {
  return createHash('sha256').update(canonical(obj)).digest('hex').slice(0, 32);
}

/** The object as we apply it: the desired content plus the hash annotation (`hash` when plan already has it). */
export function withHash(obj: GeneratedObject, hash = desiredHash(obj)): GeneratedObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [DESIRED_HASH_ANNOTATION]: hash } } };
}

/** Whether every field we want is present in the live object with the same value (drift check). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => v === undefined || isSubset(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}

/** The policy a live object of ours was generated for, from the labels compile put on it. */
function liveSource(obj: LiveObject): SourceKey | undefined {
  const kind = obj.metadata.labels?.[SOURCE_KIND_LABEL];
  const name = obj.metadata.labels?.[SOURCE_NAME_LABEL];
  // Policy names are at most 63 characters (validated), so the label holds the name unchanged.
  return (kind === 'SecurityPolicy' || kind === 'OperationPolicy') && name ? `${kind}/${name}` : undefined;
}

const TEMPLATE_KIND = 'ConstraintTemplate';
const CONSTRAINT_GROUP = 'constraints.gatekeeper.sh';

const isConstraint = (o: { apiVersion: string }) => o.apiVersion.startsWith(`${CONSTRAINT_GROUP}/`);

function rank(o: { apiVersion: string; kind: string }): number {
  if (o.kind === TEMPLATE_KIND) return 0;
  if (isConstraint(o)) return 2;
  return 1;
}

export function plan(desired: DesiredState, live: LiveState, opts: PlanOptions): Action[] {
  const applies: Action[] = [];
  const desiredKeys = new Set<string>();
  for (const obj of [...desired.objects].sort((a, b) => rank(a) - rank(b))) {
    const key = objectKey(obj);
    const source = desired.sources.get(key);
    desiredKeys.add(key);
    const have = live.objects.get(key);
    const hash = desiredHash(obj);
    if (isConstraint(obj) && !live.readyTemplates.has(obj.kind.toLowerCase())) {
      // The constraint's CRD exists only once Gatekeeper created the template: wait, do not loop on
      // 404s. An existing, up-to-date constraint keeps enforcing and needs nothing meanwhile.
      if (have?.metadata.annotations?.[DESIRED_HASH_ANNOTATION] !== hash) {
        applies.push({ type: 'wait', object: obj, reason: `template ${obj.kind.toLowerCase()} is not ready`, source });
      }
      continue;
    }
    // The hash computed above, not a second canonical() of the object (the pass's largest CPU cost).
    if (!have) applies.push({ type: 'apply', object: withHash(obj, hash), reason: 'create', source });
    else if (have.metadata.annotations?.[DESIRED_HASH_ANNOTATION] !== hash) applies.push({ type: 'apply', object: withHash(obj, hash), reason: 'update', source });
    else if (!isSubset(obj, have) && live.accepted.get(key) !== have.metadata.resourceVersion) {
      applies.push({ type: 'apply', object: withHash(obj, hash), reason: 'drift', source });
    }
  }
  const deletes: { action: Action; key: string }[] = [];
  if (live.complete) {
    for (const [key, obj] of live.objects) {
      if (desiredKeys.has(key)) continue;
      if (obj.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) continue;
      const source = liveSource(obj);
      if (source && opts.retainSources.has(source)) continue;
      deletes.push({ action: { type: 'delete', object: obj, source }, key });
    }
    // Constraints before templates: deleting a template removes its constraint CRD anyway.
    deletes.sort((a, b) => rank(b.action.object) - rank(a.action.object) || byCodePoint(a.key, b.key));
  }
  return [...applies, ...deletes.map((d) => d.action)];
}
