// Watched (src/kube/watched.ts) against a real etcd + kube-apiserver: sync, events, normal watch
// ends, the silence watchdog, RBAC failures, API server restarts, 410 relists and stop().
// Each test watches ConfigMaps in its own namespace (ConfigMaps, unlike namespaces, really go
// away on delete without a controller-manager).
//
// How the 410 is forced, reliably: the API server's watch cache starts, after a restart, from the
// resourceVersion current at that moment and answers a watch from anything older with an ERROR
// event `410 Expired: too old resource version`. So: let the cache fall behind (a write elsewhere
// advances the global resourceVersion without an event for our watch), restart the API server,
// and the resumed watch gets 410. Verified on kube-apiserver 1.36: `too old resource version: 203 (207)`.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { eventually, uniqueName, operatorClient } from '../helpers/kube.js';
import { Watched, type WatchedEvent, type WatchedOptions } from '../../src/kube/watched.js';

let cp: ControlPlane;
let core: CoreV1Api;
let rbac: RbacAuthorizationV1Api;
const live: Watched<V1ConfigMap>[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  core = cp.kubeConfig.makeApiClient(CoreV1Api);
  rbac = cp.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
}, 180000);

afterEach(async () => {
  await Promise.all(live.splice(0).map((w) => w.stop()));
});

afterAll(async () => {
  await cp?.stop();
}, 60000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** eventually() for a synchronous condition on the cache. */
const until = (what: string, cond: () => boolean, timeoutMs?: number, intervalMs?: number) =>
  eventually(what, () => Promise.resolve(cond()), timeoutMs, intervalMs);

interface Probe {
  w: Watched<V1ConfigMap>;
  events: WatchedEvent[];
  changes: () => number;
}

/** A Watched on the ConfigMaps of `ns`, listing and watching with `kc` (admin by default). */
function watchConfigMaps(ns: string, extra: Partial<WatchedOptions<V1ConfigMap>> = {}, kc: KubeConfig = cp.kubeConfig): Probe {
  const api = kc.makeApiClient(CoreV1Api);
  const events: WatchedEvent[] = [];
  let changes = 0;
  const w = new Watched<V1ConfigMap>(operatorClient(kc), {
    name: `configmaps/${ns}`,
    path: `/api/v1/namespaces/${ns}/configmaps`,
    list: ({ labelSelector }) => api.listNamespacedConfigMap({ namespace: ns, labelSelector }),
    onChange: () => {
      changes += 1;
    },
    onEvent: (e) => {
      if (process.env.APE_DEBUG_WATCHED) console.log(new Date().toISOString(), ns, e.type, e.reason);
      events.push(e);
    },
    backoff: { initialMs: 100, maxMs: 1000 },
    ...extra,
  });
  live.push(w);
  return { w, events, changes: () => changes };
}

async function newNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  return ns;
}

const createCm = (ns: string, name: string, data: Record<string, string> = { v: '1' }, labels?: Record<string, string>) =>
  core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels }, data } });
const updateCm = (ns: string, name: string, v: string) =>
  core.patchNamespacedConfigMap({ namespace: ns, name, body: [{ op: 'replace', path: '/data/v', value: v }] });
const deleteCm = (ns: string, name: string) => core.deleteNamespacedConfigMap({ namespace: ns, name });

/** name → resourceVersion, as the server has it and as the cache has it. */
async function serverState(ns: string): Promise<Record<string, string>> {
  const l = await core.listNamespacedConfigMap({ namespace: ns });
  return Object.fromEntries(l.items.map((c) => [c.metadata!.name!, c.metadata!.resourceVersion!]));
}
function cacheState(w: Watched<V1ConfigMap>): Record<string, string> {
  return Object.fromEntries(w.list().map((c) => [c.metadata!.name!, c.metadata!.resourceVersion!]));
}
async function converged(ns: string, w: Watched<V1ConfigMap>): Promise<boolean> {
  return JSON.stringify(await serverState(ns)) === JSON.stringify(cacheState(w));
}
function expectNoDuplicates(w: Watched<V1ConfigMap>): void {
  const uids = w.list().map((c) => c.metadata!.uid);
  expect(new Set(uids).size).toBe(uids.length);
}
/** Grants `user` the given verbs on ConfigMaps in `ns` (creates or replaces the Role). */
async function grant(ns: string, user: string, verbs: string[]): Promise<void> {
  const role = { metadata: { name: 'cm-reader', namespace: ns }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs }] };
  try {
    const cur = await rbac.readNamespacedRole({ name: 'cm-reader', namespace: ns });
    await rbac.replaceNamespacedRole({ name: 'cm-reader', namespace: ns, body: { ...role, metadata: { ...role.metadata, resourceVersion: cur.metadata?.resourceVersion } } });
  } catch {
    await rbac.createNamespacedRole({ namespace: ns, body: role });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'cm-reader', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });
  }
}

describe('Watched', () => {
  test('syncs existing objects once, sorted, and start() is single-flight', async () => {
    const ns = await newNamespace('w-sync');
    for (const n of ['c', 'a', 'b']) await createCm(ns, n);
    const { w, events, changes } = watchConfigMaps(ns);
    expect(w.synced).toBe(false);
    const first = w.start();
    expect(w.start()).toBe(first); // a second start() while starting joins, it does not start a second loop
    await first;
    await w.start();
    expect(w.synced).toBe(true);
    expect(w.list().map((c) => c.metadata!.name)).toEqual(['a', 'b', 'c']);
    expect(w.get('b', ns)?.data).toEqual({ v: '1' });
    expect(w.get('b')).toBeUndefined(); // cluster-scoped key: a different object
    expect(await converged(ns, w)).toBe(true);
    expect(changes()).toBe(1); // the initial fill is one change
    expect(w.stats.lists).toBe(1);
    await sleep(300);
    expect(w.stats.watches).toBe(1); // one watch loop, despite three start() calls
    expect(w.lastSyncError).toBeUndefined();
    expect(events).toEqual([]);
  });

  test('sees add, update and delete; respects the label selector; an empty start is no change', async () => {
    const ns = await newNamespace('w-events');
    const { w, events, changes } = watchConfigMaps(ns, { labelSelector: 'app=watched' });
    await w.start();
    expect(w.list()).toEqual([]);
    expect(changes()).toBe(0);

    await createCm(ns, 'other', { v: '1' }, { app: 'other' });
    await createCm(ns, 'one', { v: '1' }, { app: 'watched' });
    await until('ADDED seen', () => w.get('one', ns) !== undefined);
    const afterAdd = changes();
    expect(afterAdd).toBe(1);

    const updated = await updateCm(ns, 'one', '2');
    await until('MODIFIED seen', () => w.get('one', ns)?.data?.v === '2');
    expect(w.get('one', ns)?.metadata?.resourceVersion).toBe(updated.metadata?.resourceVersion);
    expect(w.lastResourceVersion).toBe(updated.metadata?.resourceVersion);

    await deleteCm(ns, 'one');
    await until('DELETED seen', () => w.get('one', ns) === undefined);
    expect(changes()).toBe(3);
    expect(w.get('other', ns)).toBeUndefined(); // filtered by the server, never cached
    expect(w.stats.lists).toBe(1); // no relist needed for any of this
    expect(events).toEqual([]);
  });

  test('a watch that ends normally resumes from the last resourceVersion, without relist or spinning', async () => {
    const ns = await newNamespace('w-ends');
    await createCm(ns, 'a');
    const { w, events } = watchConfigMaps(ns, { watchTimeoutSeconds: 1 });
    await w.start();
    const t0 = Date.now();
    await sleep(4500);
    const elapsed = Date.now() - t0;
    const s = w.stats;
    expect(s.watches).toBeGreaterThanOrEqual(3); // the server ended it every second and we re-watched
    expect(s.watches).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1); // one per server timeout, no spinning
    expect(s.lists).toBe(1);
    expect(s.relists).toBe(0);
    expect(events.every((e) => e.type === 'restart' && /ended after \d+ ms/.test(e.reason))).toBe(true);
    // Changes made across re-watches are all seen.
    for (let i = 2; i <= 4; i++) {
      await updateCm(ns, 'a', String(i));
      await sleep(700);
    }
    await createCm(ns, 'b');
    await eventually('converged across re-watches', () => converged(ns, w), 10000);
    expect(w.stats.lists).toBe(1);
  }, 30000);

  test('the watchdog rebuilds a silent watch from the last resourceVersion', async () => {
    const ns = await newNamespace('w-silent');
    await createCm(ns, 'a');
    const { w, events } = watchConfigMaps(ns, { silenceTimeoutMs: 1000, watchTimeoutSeconds: 300 });
    await w.start();
    await until('two watchdog rebuilds', () => events.filter((e) => /silent for 1000 ms/.test(e.reason)).length >= 2, 10000, 100);
    expect(events.every((e) => e.type === 'restart')).toBe(true);
    await until('third watch opened', () => w.stats.watches >= 3, 5000, 50);
    expect(w.stats.lists).toBe(1);
    await updateCm(ns, 'a', '2');
    await until('change seen after rebuilds', () => w.get('a', ns)?.data?.v === '2', 10000);
    expect(w.stats.lists).toBe(1);
  }, 30000);

  test('403 on list and on watch: retries with backoff, never gives up, recovers once allowed', async () => {
    const ns = await newNamespace('w-rbac');
    await createCm(ns, 'a');
    const user = uniqueName('watcher');
    const { w, events, changes } = watchConfigMaps(ns, { watchTimeoutSeconds: 1 }, cp.kubeConfigFor(user));
    let synced = false;
    const started = w.start().then(() => (synced = true));
    await until('list refused a few times', () => events.filter((e) => e.type === 'error').length >= 3, 10000, 100);
    expect(synced).toBe(false);
    expect(w.synced).toBe(false);
    expect(w.lastSyncError).toMatch(/list .* failed: HTTP 403/);

    await grant(ns, user, ['list']); // list but not watch
    await started;
    const listsAtSync = w.stats.lists;
    expect(listsAtSync).toBeGreaterThanOrEqual(4); // 3+ refused, then the one that worked
    expect(w.list().map((c) => c.metadata!.name)).toEqual(['a']);
    expect(changes()).toBe(1);
    const errorsBefore = events.filter((e) => e.type === 'error').length;
    await until('watch refused a few times', () => events.filter((e) => /watch .* failed: .*403/.test(e.reason)).length >= 2, 10000, 100);
    expect(w.synced).toBe(true); // the cache stays, stale, while the watch fails
    expect(w.list()).toHaveLength(1);

    await grant(ns, user, ['list', 'watch']);
    await createCm(ns, 'b');
    await until('watch works again', () => w.get('b', ns) !== undefined, 15000);
    expect(w.stats.lists).toBe(listsAtSync); // resumed from the resourceVersion it had: no relist
    expect(events.filter((e) => e.type === 'error').length).toBeGreaterThan(errorsBefore);
    await until('error cleared', () => w.lastSyncError === undefined, 5000);
  }, 45000);

  test('API server down and back: stale cache kept, bounded retries, converges without lost or duplicate objects', async () => {
    const ns = await newNamespace('w-restart');
    for (const n of ['a', 'b', 'c']) await createCm(ns, n);
    const { w, events, changes } = watchConfigMaps(ns, { backoff: { initialMs: 200, maxMs: 2000 } });
    await w.start();
    await updateCm(ns, 'c', 'before-stop'); // a change racing the shutdown must not be lost
    await cp.stopApiServer();
    const errorsAtStop = events.filter((e) => e.type === 'error').length;
    const downMs = 8000;
    await sleep(downMs);
    const downErrors = events.filter((e) => e.type === 'error').slice(errorsAtStop);
    // Retrying (never gave up) but backing off: 100–200, 200–400, ... capped at 1–2 s means at most
    // ~11 attempts in 8 s; a loop without backoff would make hundreds.
    expect(downErrors.length).toBeGreaterThanOrEqual(3);
    expect(downErrors.length).toBeLessThanOrEqual(12);
    expect(downErrors.every((e) => /ECONNREFUSED/.test(e.reason))).toBe(true);
    expect(w.synced).toBe(true);
    expect(w.lastSyncError).toMatch(/ECONNREFUSED/);
    expect(w.list().map((c) => c.metadata!.name)).toEqual(['a', 'b', 'c']); // stale, not emptied

    await cp.startApiServer();
    const changesAtStart = changes();
    await updateCm(ns, 'a', 'after-start');
    await deleteCm(ns, 'b');
    await createCm(ns, 'd');
    await eventually('converged after restart', () => converged(ns, w), 30000);
    expect(w.list().map((c) => c.metadata!.name)).toEqual(['a', 'c', 'd']);
    expect(w.get('c', ns)?.data?.v).toBe('before-stop');
    expect(w.get('a', ns)?.data?.v).toBe('after-start');
    expectNoDuplicates(w);
    expect(changes()).toBeGreaterThan(changesAtStart);
    await until('error cleared', () => w.lastSyncError === undefined, 5000);
  }, 60000);

  test('410 after the resume point expired relists; the relist replaces the cache (removes what vanished)', async () => {
    const ns = await newNamespace('w-gone');
    await createCm(ns, 'a');
    await createCm(ns, 'b');
    const user = uniqueName('gone');
    await grant(ns, user, ['list', 'watch']);
    const { w, events, changes } = watchConfigMaps(ns, { watchTimeoutSeconds: 1, backoff: { initialMs: 200, maxMs: 400 } }, cp.kubeConfigFor(user));
    await w.start();
    // Blind the watch (403 on every re-watch), change things it cannot see, then expire its
    // resume point with a restart.
    await grant(ns, user, ['list']);
    await until('watch refused', () => events.some((e) => /watch .* failed: .*403/.test(e.reason)), 10000, 100);
    const staleRv = w.lastResourceVersion;
    await deleteCm(ns, 'b');
    await createCm(ns, 'c');
    await sleep(500);
    expect(w.list().map((c) => c.metadata!.name)).toEqual(['a', 'b']);
    await cp.restartApiServer();
    const changesBefore = changes();
    await grant(ns, user, ['list', 'watch']);
    await until('relisted', () => w.stats.lists === 2 && w.list().length === 2 && w.get('c', ns) !== undefined, 20000, 100);
    const relist = events.find((e) => e.type === 'relist');
    expect(relist?.reason).toMatch(/410 Expired: too old resource version/);
    expect(w.lastResourceVersion).not.toBe(staleRv);
    expect(w.list().map((c) => c.metadata!.name)).toEqual(['a', 'c']);
    expect(changes()).toBe(changesBefore + 1);
    expect(await converged(ns, w)).toBe(true);
    await createCm(ns, 'd');
    await until('watching again after relist', () => w.get('d', ns) !== undefined, 10000);
    expect(w.stats.lists).toBe(2);
  }, 60000);

  test('a relist that finds nothing changed does not call onChange', async () => {
    const ns = await newNamespace('w-same');
    await createCm(ns, 'a');
    const { w, events, changes } = watchConfigMaps(ns);
    await w.start();
    expect(changes()).toBe(1);
    const rvBefore = w.lastResourceVersion;
    // A write the watch does not see moves the server past our resume point; the restart makes
    // the watch cache start after it: the resumed watch gets 410.
    const other = await newNamespace('w-other');
    await createCm(other, 'x');
    await cp.restartApiServer();
    // The relist is done once the resume point moved (bookmarks are rare in a few seconds, and
    // nothing in the namespace changed, so only the relist moves it).
    await until('relisted', () => w.stats.lists === 2 && w.lastResourceVersion !== rvBefore, 20000, 100);
    expect(events.some((e) => e.type === 'relist' && /410/.test(e.reason))).toBe(true);
    await sleep(300);
    expect(changes()).toBe(1);
    expect(w.list().map((c) => c.metadata!.name)).toEqual(['a']);
  }, 60000);

  test('stop() is idempotent, aborts quietly, and no callback follows it', async () => {
    const ns = await newNamespace('w-stop');
    await createCm(ns, 'a');
    const { w, events, changes } = watchConfigMaps(ns);
    await w.start();
    await Promise.all([w.stop(), w.stop()]);
    await w.stop();
    const [c, s] = [changes(), w.stats];
    await updateCm(ns, 'a', '2');
    await createCm(ns, 'b');
    await sleep(1500);
    expect(changes()).toBe(c);
    expect(w.stats).toEqual(s); // no watch, list or event after stop
    expect(events).toEqual([]); // our own abort is not an error
    expect(w.get('a', ns)?.data?.v).toBe('1');
    await expect(w.start()).rejects.toThrow(/start\(\) after stop\(\)/);

    // Stopped before the first list ever succeeded (403 forever): start() rejects, stop() returns.
    const blind = watchConfigMaps(ns, {}, cp.kubeConfigFor(uniqueName('nobody')));
    const starting = blind.w.start();
    await until('list refused', () => blind.events.length >= 1, 10000, 50);
    await blind.w.stop();
    await expect(starting).rejects.toThrow(/stopped before the first list/);
    const n = blind.events.length;
    await sleep(500);
    expect(blind.events.length).toBe(n);
    expect(blind.events.every((e) => !/abort/i.test(e.reason))).toBe(true);
  }, 30000);
});
