// Lease leader election against a real kube-apiserver: exclusivity, release hand-over, takeover
// after a crash only once the lease expired, step-down of a partitioned leader before anyone else
// can take over, an API server outage, and least-privilege RBAC. Short durations keep it fast.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { CoordinationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1Lease } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { LeaderElector, type LeaderElectorOptions } from '../../src/kube/leader.js';
import { eventually, rawRequest, uniqueName, operatorClient } from '../helpers/kube.js';

const LEASE = 3;
const DEADLINE = 2;
const RETRY = 0.5;
const LEASE_NAME = 'admission-policy-engine';
// Upper bounds only: timers and requests may run late on a loaded machine; safety bounds are exact.
const SLACK = 500;
const MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
}, 180000);

afterAll(async () => {
  await cp?.stop();
}, 60000);

interface Event { id: string; ev: 'start' | 'stop'; t: number }

/** Electors sharing one lease, a timeline of their callbacks and a sampler of `isLeader`. */
class Bed {
  readonly events: Event[] = [];
  readonly electors = new Map<string, LeaderElector>();
  private overlaps = 0;
  private readonly sampler = setInterval(() => {
    if ([...this.electors.values()].filter((e) => e.isLeader).length > 1) this.overlaps += 1;
  }, 10);

  constructor(readonly namespace: string) {}

  add(id: string, kc: KubeConfig = cp.kubeConfig, extra: Partial<LeaderElectorOptions> = {}): LeaderElector {
    const e = new LeaderElector(operatorClient(kc), {
      namespace: this.namespace, name: LEASE_NAME, identity: id,
      leaseDurationSeconds: LEASE, renewDeadlineSeconds: DEADLINE, retryPeriodSeconds: RETRY,
      onStartedLeading: () => this.events.push({ id, ev: 'start', t: Date.now() }),
      onStoppedLeading: () => this.events.push({ id, ev: 'stop', t: Date.now() }),
      ...extra,
    });
    this.electors.set(id, e);
    e.start();
    return e;
  }

  /** Kills an elector (no release, no callbacks); its leadership ends with the process. */
  async crash(id: string): Promise<number> {
    await this.electors.get(id)!.crash();
    this.electors.delete(id);
    const t = Date.now();
    this.events.push({ id, ev: 'stop', t });
    return t;
  }

  leaders(): string[] {
    return [...this.electors].filter(([, e]) => e.isLeader).map(([id]) => id);
  }

  async leader(timeoutMs = 10000): Promise<string> {
    return eventually('a leader', () => Promise.resolve(this.leaders().length === 1 ? this.leaders()[0] : undefined), timeoutMs, 10);
  }

  last(id: string, ev: 'start' | 'stop'): Event | undefined {
    return this.events.filter((e) => e.id === id && e.ev === ev).at(-1);
  }

  /** Stops everything and checks that leadership never overlapped, by callbacks and by `isLeader`. */
  async close(): Promise<void> {
    clearInterval(this.sampler);
    for (const e of this.electors.values()) await e.stop();
    expect(this.overlaps).toBe(0);
    const leading = new Set<string>();
    for (const e of this.events) {
      if (e.ev === 'start') {
        expect([...leading]).toEqual([]);
        leading.add(e.id);
      } else {
        leading.delete(e.id);
      }
    }
  }
}

async function newNamespace(): Promise<string> {
  const name = uniqueName('le');
  await cp.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

function readLease(ns: string, kc: KubeConfig = cp.kubeConfig): Promise<V1Lease> {
  return kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns, name: LEASE_NAME });
}

const ms = (t: unknown): number => new Date(t as string).getTime();

/** A TCP proxy to the API server that can black-hole traffic (a network partition). */
class Partition {
  private readonly sockets = new Set<Socket>();
  private blocked = false;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(target: string): Promise<Partition> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    const p = new Partition(server, `https://127.0.0.1:${address.port}`);
    server.on('connection', (client) => {
      p.track(client);
      if (p.blocked) return; // hold it open, forward nothing
      const upstream = connect(Number(port), hostname);
      p.track(upstream);
      client.pipe(upstream).pipe(client);
    });
    return p;
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => this.sockets.delete(s));
  }

  private dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  block(): void {
    this.blocked = true;
    this.dropAll();
  }

  heal(): void {
    this.blocked = false;
    this.dropAll();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function through(base: KubeConfig, server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: base.clusters.map((c) => ({ ...c, server })), users: base.users, contexts: base.contexts, currentContext: base.currentContext });
  return kc;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

test('options are validated: renewDeadline < leaseDuration, retryPeriod small enough', () => {
  const base = { namespace: 'x', name: 'y', identity: 'z', onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
  expect(() => new LeaderElector(operatorClient(cp.kubeConfig), { ...base, leaseDurationSeconds: 2, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 })).toThrow(/leaseDurationSeconds/);
  expect(() => new LeaderElector(operatorClient(cp.kubeConfig), { ...base, leaseDurationSeconds: 3, renewDeadlineSeconds: 1, retryPeriodSeconds: 1 })).toThrow(/renewDeadlineSeconds/);
  expect(() => new LeaderElector(operatorClient(cp.kubeConfig), { ...base, identity: '' })).toThrow(/identity/);
});

test('exactly one of two electors leads; lease fields; stop() releases and the other leads within ~retryPeriod', async () => {
  const bed = new Bed(await newNamespace());
  try {
    const newLeaders: string[] = [];
    bed.add('replica-a', cp.kubeConfig, { onNewLeader: (id) => newLeaders.push(`a saw ${id}`) });
    bed.add('replica-b', cp.kubeConfig, { onNewLeader: (id) => newLeaders.push(`b saw ${id}`) });
    const first = await bed.leader();
    const other = first === 'replica-a' ? 'replica-b' : 'replica-a';
    await sleep(1500); // several renew periods: still exactly the same single leader
    expect(bed.leaders()).toEqual([first]);
    expect(bed.events.filter((e) => e.ev === 'start')).toHaveLength(1);
    expect(newLeaders.sort()).toEqual([`a saw ${first}`, `b saw ${first}`]);

    const lease = await readLease(bed.namespace);
    expect(lease.spec).toMatchObject({ holderIdentity: first, leaseDurationSeconds: LEASE, leaseTransitions: 0 });
    expect(String(lease.spec?.acquireTime)).toMatch(MICRO);
    expect(String(lease.spec?.renewTime)).toMatch(MICRO);
    await sleep(1000);
    const renewed = await readLease(bed.namespace);
    expect(ms(renewed.spec?.renewTime)).toBeGreaterThan(ms(lease.spec?.renewTime));
    expect(renewed.spec?.acquireTime).toEqual(lease.spec?.acquireTime);
    expect(Date.now() - ms(renewed.spec?.renewTime)).toBeLessThan(RETRY * 1000 + 500);

    const t0 = Date.now();
    await bed.electors.get(first)!.stop();
    expect(bed.last(first, 'stop')).toBeDefined();
    const released = await readLease(bed.namespace);
    expect(released.spec?.holderIdentity ?? '').toBe('');
    expect(released.spec?.leaseDurationSeconds).toBe(1);
    await eventually('hand-over', () => Promise.resolve(bed.leaders()[0] === other), 5000, 10);
    const handover = Date.now() - t0;
    expect(handover).toBeLessThan(RETRY * 1000 * 1.2 + SLACK);
    const taken = await readLease(bed.namespace);
    expect(taken.spec).toMatchObject({ holderIdentity: other, leaseDurationSeconds: LEASE, leaseTransitions: 1 });
    expect(ms(taken.spec?.acquireTime)).toBeGreaterThanOrEqual(t0);
  } finally {
    await bed.close();
  }
});

test('a crashed leader (no release) is replaced once the lease expired, not before', async () => {
  const bed = new Bed(await newNamespace());
  try {
    bed.add('replica-a');
    await bed.leader();
    bed.add('replica-b');
    await sleep(1000);
    expect(bed.leaders()).toEqual(['replica-a']);

    const tCrash = await bed.crash('replica-a');
    const lastRenew = ms((await readLease(bed.namespace)).spec?.renewTime);
    await eventually('takeover', () => Promise.resolve(bed.leaders()[0] === 'replica-b'), 10000, 10);
    const tTake = bed.last('replica-b', 'start')!.t;
    // b judges expiry from when it saw a's last renew, which is after a started that renew.
    expect(tTake - lastRenew).toBeGreaterThanOrEqual(LEASE * 1000);
    expect(tTake - tCrash).toBeLessThan(LEASE * 1000 + 2 * RETRY * 1000 * 1.2 + SLACK);
    const lease = await readLease(bed.namespace);
    expect(lease.spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
  } finally {
    await bed.close();
  }
});

test('a partitioned leader steps down after renewDeadline, before the other can take over', async () => {
  const bed = new Bed(await newNamespace());
  const net = await Partition.start(cp.server);
  try {
    bed.add('replica-a', through(cp.kubeConfig, net.url));
    expect(await bed.leader()).toBe('replica-a');
    bed.add('replica-b');
    await sleep(1000);

    net.block();
    const tCut = Date.now();
    await eventually('a steps down', () => Promise.resolve(bed.last('replica-a', 'stop')), 10000, 10);
    const tStop = bed.last('replica-a', 'stop')!.t;
    expect(tStop - tCut).toBeLessThan(DEADLINE * 1000 + SLACK);
    expect(tStop - tCut).toBeGreaterThan(DEADLINE * 1000 - RETRY * 1000 - SLACK);
    const lastRenew = ms((await readLease(bed.namespace)).spec?.renewTime);
    expect(tStop - lastRenew).toBeGreaterThanOrEqual(DEADLINE * 1000);
    expect(tStop - lastRenew).toBeLessThan(DEADLINE * 1000 + SLACK);

    await eventually('b takes over', () => Promise.resolve(bed.leaders()[0] === 'replica-b'), 10000, 10);
    const tTake = bed.last('replica-b', 'start')!.t;
    expect(tTake - lastRenew).toBeGreaterThanOrEqual(LEASE * 1000);
    expect(tTake - tStop).toBeGreaterThan((LEASE - DEADLINE) * 1000 - SLACK);

    net.heal(); // a comes back and sees b's lease: it stays a follower
    await sleep(1500);
    expect(bed.leaders()).toEqual(['replica-b']);
    expect((await readLease(bed.namespace)).spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
  } finally {
    await bed.close();
    await net.close();
  }
});

test('least privilege: get/create/update on leases in d8-system is enough', async () => {
  const ns = 'd8-system';
  const user = 'system:serviceaccount:d8-system:admission-policy-engine';
  await cp.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
  const rbac = cp.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace: ns, body: {
    metadata: { name: 'admission-policy-engine-leader' },
    rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }],
  } });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: {
    metadata: { name: 'admission-policy-engine-leader' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'admission-policy-engine-leader' },
    subjects: [{ kind: 'ServiceAccount', name: 'admission-policy-engine', namespace: ns }],
  } });
  const kc = cp.kubeConfigFor(user);
  await eventually('role effective', async () => (await rawRequest(kc, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEASE_NAME}`)).status === 404);
  // Nothing more than that: no list, watch, patch or delete, nothing in other namespaces.
  expect((await rawRequest(kc, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`)).status).toBe(403);
  expect((await rawRequest(kc, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEASE_NAME}`)).status).toBe(403);
  expect((await rawRequest(kc, 'GET', `/apis/coordination.k8s.io/v1/namespaces/default/leases/${LEASE_NAME}`)).status).toBe(403);

  const bed = new Bed(ns);
  const elsewhere = new Bed('default');
  try {
    bed.add('replica-a', kc); // creates the lease
    expect(await bed.leader()).toBe('replica-a');
    bed.add('replica-b', kc);
    await sleep(1000);
    expect(bed.leaders()).toEqual(['replica-a']);
    await bed.electors.get('replica-a')!.stop(); // get + update to release
    bed.electors.delete('replica-a');
    await eventually('hand-over', () => Promise.resolve(bed.leaders()[0] === 'replica-b'), 5000, 10);
    expect((await readLease(ns)).spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });

    elsewhere.add('replica-x', kc); // forbidden namespace: never leads
    await sleep(1500);
    expect(elsewhere.leaders()).toEqual([]);
  } finally {
    await bed.close();
    await elsewhere.close();
  }
});

test('a leader that cannot reach the API server steps down after renewDeadline and re-acquires afterwards', async () => {
  const bed = new Bed(await newNamespace());
  try {
    bed.add('replica-a');
    await bed.leader();
    await sleep(1000);
    const acquired = (await readLease(bed.namespace)).spec?.acquireTime;

    const tDown = Date.now();
    await cp.stopApiServer();
    await eventually('step-down', () => Promise.resolve(bed.last('replica-a', 'stop')), 15000, 10);
    const tStop = bed.last('replica-a', 'stop')!.t;
    expect(bed.leaders()).toEqual([]);
    expect(tStop - tDown).toBeLessThan(DEADLINE * 1000 + SLACK);

    await cp.startApiServer();
    await eventually('re-acquired', () => Promise.resolve(bed.leaders()[0] === 'replica-a'), 15000, 10);
    expect(bed.events.map((e) => e.ev)).toEqual(['start', 'stop', 'start']);
    const lease = await readLease(bed.namespace);
    // Still our record: a renewal, not a transition.
    expect(lease.spec).toMatchObject({ holderIdentity: 'replica-a', leaseTransitions: 0, acquireTime: acquired });
  } finally {
    await bed.close();
  }
}, 120000);
