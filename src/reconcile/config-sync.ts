// Gatekeeper's `Config` is shared: other tools (a Gatekeeper chart, another policy library, people)
// add their own `spec.sync.syncOnly` entries. That list is atomic for server-side apply, so applying
// ours alone (with force) would remove theirs. Before planning, the desired Config's list becomes
// theirs (as live, in their order) plus ours, and an annotation records the entries we introduced,
// so that an entry we stop needing is removed and one that someone else listed first is never ours
// to remove. Pure.
import { objectKey, type GeneratedObject } from '../compile/types.js';
import { byCodePoint } from '../util/order.js';
import { DESIRED_HASH_ANNOTATION, type LiveObject } from './plan.js';

/** The sync entries the operator introduced into the Config (`group/version/kind`, comma separated). */
export const SYNC_OWNED_ANNOTATION = 'admission-policy-engine.deckhouse.io/sync-owned';

interface SyncEntry { group?: string; version?: string; kind?: string; [k: string]: unknown }

const entryKey = (e: SyncEntry) => `${e.group ?? ''}/${e.version ?? ''}/${e.kind ?? ''}`;

function syncOnly(obj: object | undefined): SyncEntry[] {
  const list = ((obj as { spec?: unknown } | undefined)?.spec as { sync?: { syncOnly?: unknown } } | undefined)?.sync?.syncOnly;
  return Array.isArray(list) ? list.filter((e): e is SyncEntry => !!e && typeof e === 'object') : [];
}

function ownedBefore(live: LiveObject): Set<string> {
  const note = live.metadata.annotations?.[SYNC_OWNED_ANNOTATION];
  if (note !== undefined) return new Set(note.split(',').filter((k) => k !== ''));
  // Applied by a version that owned the whole list: every entry there is ours.
  if (live.metadata.annotations?.[DESIRED_HASH_ANNOTATION] !== undefined) return new Set(syncOnly(live).map(entryKey));
  return new Set();
}

/** The desired Config with the live entries of other owners kept; any other object unchanged. */
export function keepForeignSyncEntries(desired: GeneratedObject, live: LiveObject | undefined): GeneratedObject {
  if (desired.kind !== 'Config' || !desired.apiVersion.startsWith('config.gatekeeper.sh/')) return desired;
  const ours = syncOnly(desired);
  const previous = live ? ownedBefore(live) : new Set<string>();
  const foreign = live ? syncOnly(live).filter((e) => !previous.has(entryKey(e))) : [];
  const foreignKeys = new Set(foreign.map(entryKey));
  const introduced = ours.filter((e) => !foreignKeys.has(entryKey(e)));
  const spec = (desired.spec ?? {}) as { sync?: Record<string, unknown> };
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata.annotations, [SYNC_OWNED_ANNOTATION]: introduced.map(entryKey).sort(byCodePoint).join(',') },
    },
    spec: { ...spec, sync: { ...spec.sync, syncOnly: [...foreign, ...introduced] } },
  };
}

/** keepForeignSyncEntries over a list of desired objects, with the live objects by objectKey. */
export function withForeignSyncEntries(objects: readonly GeneratedObject[], live: ReadonlyMap<string, LiveObject>): GeneratedObject[] {
  return objects.map((o) => keepForeignSyncEntries(o, live.get(objectKey(o))));
}
