// plan(desired, live) -> ordered actions: a pure diff. Creates and updates in dependency order
// (templates, then Gatekeeper config, then constraints whose template is ready), deletes of
// objects we own that are no longer desired, nothing for objects already as desired.
import { createHash } from 'node:crypto';
import { MANAGED_BY, MANAGED_BY_LABEL, SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../compile/labels.js';
import { labelValue } from '../compile/names.js';
import type { GeneratedObject } from '../compile/types.js';

/** Hash of the desired content we last applied: a changed hash means "apply again". */
export const DESIRED_HASH_ANNOTATION = 'admission-policy-engine.deckhouse.io/desired-hash';

export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number };
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export interface LiveState {
  /** Objects we may own, by key (see objectKey). Only those carrying our managed-by label are pruned. */
  objects: Map<string, LiveObject>;
  /** Template name -> Gatekeeper reports `status.created` for its current spec. */
  templateReady: (name: string) => boolean;
  /** False while any list behind `objects` is incomplete: then nothing is pruned. */
  complete: boolean;
  /**
   * True when this live version was the server's answer to our own apply: a difference left then
   * is the server's normalisation, not drift, and applying again would loop forever.
   */
  driftAccepted: (key: string, live: LiveObject) => boolean;
}

export type Action =
  | { type: 'apply'; object: GeneratedObject; reason: 'create' | 'update' | 'drift' }
  | { type: 'delete'; object: LiveObject }
  | { type: 'wait'; object: GeneratedObject; reason: string };

export interface PlanOptions {
  /** Sources (`<kind>/<name>`) whose live objects must be kept even if not desired (invalid policies). */
  retainSources: Set<string>;
}

export function objectKey(o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function desiredHash(obj: GeneratedObject): string {
  return createHash('sha256').update(canonical(obj)).digest('hex').slice(0, 32);
}

/** The object as we apply it: the desired content plus the hash annotation. */
export function withHash(obj: GeneratedObject): GeneratedObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [DESIRED_HASH_ANNOTATION]: desiredHash(obj) } } };
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

const TEMPLATE_KIND = 'ConstraintTemplate';
const CONSTRAINT_GROUP = 'constraints.gatekeeper.sh';

function rank(o: { apiVersion: string; kind: string }): number {
  if (o.kind === TEMPLATE_KIND) return 0;
  if (o.apiVersion.startsWith(`${CONSTRAINT_GROUP}/`)) return 2;
  return 1;
}

export function plan(desired: GeneratedObject[], live: LiveState, opts: PlanOptions): Action[] {
  const applies: Action[] = [];
  const desiredKeys = new Set<string>();
  for (const obj of [...desired].sort((a, b) => rank(a) - rank(b))) {
    const key = objectKey(obj);
    desiredKeys.add(key);
    const have = live.objects.get(key);
    const hash = desiredHash(obj);
    if (obj.apiVersion.startsWith(`${CONSTRAINT_GROUP}/`) && !live.templateReady(obj.kind.toLowerCase())) {
      // The constraint's CRD exists only once Gatekeeper created the template: wait, do not loop on
      // 404s. An existing, up-to-date constraint keeps enforcing and needs nothing meanwhile.
      if (have?.metadata.annotations?.[DESIRED_HASH_ANNOTATION] !== hash) {
        applies.push({ type: 'wait', object: obj, reason: `template ${obj.kind.toLowerCase()} is not ready` });
      }
      continue;
    }
    if (!have) applies.push({ type: 'apply', object: withHash(obj), reason: 'create' });
    else if (have.metadata.annotations?.[DESIRED_HASH_ANNOTATION] !== hash) applies.push({ type: 'apply', object: withHash(obj), reason: 'update' });
    else if (!isSubset(obj, have) && !live.driftAccepted(key, have)) applies.push({ type: 'apply', object: withHash(obj), reason: 'drift' });
  }
  const deletes: Action[] = [];
  if (live.complete) {
    for (const [key, obj] of live.objects) {
      if (desiredKeys.has(key)) continue;
      if (obj.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) continue;
      const kind = obj.metadata.labels?.[SOURCE_KIND_LABEL];
      const name = obj.metadata.labels?.[SOURCE_NAME_LABEL];
      if (kind && name && opts.retainSources.has(`${kind}/${name}`)) continue;
      deletes.push({ type: 'delete', object: obj });
    }
    // Constraints before templates: deleting a template removes its constraint CRD anyway.
    deletes.sort((a, b) => rank(b.object) - rank(a.object) || objectKey(a.object).localeCompare(objectKey(b.object)));
  }
  return [...applies, ...deletes];
}

/** `<kind>/<label value of name>` as carried by generated objects, for retainSources. */
export function sourceKey(kind: string, name: string): string {
  return `${kind}/${labelValue(name)}`;
}
