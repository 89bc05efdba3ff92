import type { GeneratedObject } from '../compile/types.js';
import { keepForeignSyncEntries, SYNC_OWNED_ANNOTATION, withForeignSyncEntries } from './config-sync.js';
import { DESIRED_HASH_ANNOTATION, plan, withHash, type LiveObject } from './plan.js';

const spe = { group: 'deckhouse.io', version: 'v1alpha1', kind: 'SecurityPolicyException' };
const ns = { group: '', version: 'v1', kind: 'Namespace' };
const ingress = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' };
const pod = { group: '', version: 'v1', kind: 'Pod' };

function desired(syncOnly: object[]): GeneratedObject {
  return { apiVersion: 'config.gatekeeper.sh/v1alpha1', kind: 'Config', metadata: { name: 'config', namespace: 'gk', labels: { a: 'b' } }, spec: { sync: { syncOnly } } };
}
function live(syncOnly: object[], annotations?: Record<string, string>): LiveObject {
  return { apiVersion: 'config.gatekeeper.sh/v1alpha1', kind: 'Config', metadata: { name: 'config', namespace: 'gk', annotations }, spec: { match: [{ processes: ['*'] }], sync: { syncOnly } } };
}
const list = (o: GeneratedObject) => (o.spec as { sync: { syncOnly: unknown[] } }).sync.syncOnly;

describe('Gatekeeper Config sync list ownership', () => {
  test('no live Config: exactly our entries, all recorded as ours', () => {
    const out = keepForeignSyncEntries(desired([ns, spe]), undefined);
    expect(list(out)).toEqual([ns, spe]);
    expect(out.metadata.annotations?.[SYNC_OWNED_ANNOTATION]).toBe('/v1/Namespace,deckhouse.io/v1alpha1/SecurityPolicyException');
  });

  test("another owner's entries are kept, in their order, before ours", () => {
    const out = keepForeignSyncEntries(desired([spe]), live([ingress, pod]));
    expect(list(out)).toEqual([ingress, pod, spe]);
    expect(out.metadata.annotations?.[SYNC_OWNED_ANNOTATION]).toBe('deckhouse.io/v1alpha1/SecurityPolicyException');
  });

  test('an entry we stop needing is removed; one another owner listed first is never ours', () => {
    const l = live([ingress, ns, spe], { [SYNC_OWNED_ANNOTATION]: '/v1/Namespace,deckhouse.io/v1alpha1/SecurityPolicyException' });
    expect(list(keepForeignSyncEntries(desired([spe]), l))).toEqual([ingress, spe]);
    const theirs = live([ingress, ns]);
    const out = keepForeignSyncEntries(desired([ns]), theirs);
    expect(list(out)).toEqual([ingress, ns]);
    expect(out.metadata.annotations?.[SYNC_OWNED_ANNOTATION]).toBe('');
    // We no longer need it: still theirs, still there.
    expect(list(keepForeignSyncEntries(desired([]), { ...theirs, metadata: { ...theirs.metadata, annotations: out.metadata.annotations } }))).toEqual([ingress, ns]);
  });

  test('a Config applied by a version that owned the whole list: those entries are ours', () => {
    const l = live([ns, pod], { [DESIRED_HASH_ANNOTATION]: 'x' });
    expect(list(keepForeignSyncEntries(desired([spe]), l))).toEqual([spe]);
  });

  test('quiet at rest: once applied, the merged Config plans nothing', () => {
    const first = keepForeignSyncEntries(desired([spe]), live([ingress]));
    const applied = withHash(first) as unknown as LiveObject;
    const again = withForeignSyncEntries([desired([spe])], new Map([['config.gatekeeper.sh/Config/gk/config', applied]]));
    expect(again[0]).toEqual(first);
    const actions = plan({ objects: again, sources: new Map() }, { objects: new Map([['config.gatekeeper.sh/Config/gk/config', applied]]), readyTemplates: new Set(), complete: true, accepted: new Map() }, { retainSources: new Set() });
    expect(actions).toEqual([]);
  });

  test('other objects pass through unchanged', () => {
    const t = { apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: 'x' } };
    expect(keepForeignSyncEntries(t, undefined)).toBe(t);
  });
});
