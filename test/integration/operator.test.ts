// The operator against a real API server and a real Gatekeeper, with exactly its shipped RBAC:
// converge, create/update/delete policies and namespace labels, invalid input, quiet at rest,
// restart without writes, and admission decisions through Gatekeeper's webhook.
import { CoreV1Api, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { startOperatorEnv, OPERATOR_USER, type OperatorEnv, waitConverged } from '../harness/operator-env.js';
import type { Operator } from '../../src/cli/run.js';
import { catalog } from '../../src/checks/index.js';
import { eventually, rawRequest, uniqueName } from '../helpers/kube.js';
import { matchNames, matchNamespaceLabels, operationPolicy, policyApi, securityPolicy } from '../helpers/policies.js';
import type { PolicyKind } from '../../src/api/types.js';

let env: OperatorEnv;
let op: Operator;

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const custom = () => env.cp.kubeConfig.makeApiClient(CustomObjectsApi);
const core = () => env.cp.kubeConfig.makeApiClient(CoreV1Api);

async function listConstraints(kind: string): Promise<Obj[]> {
  try {
    const list = (await custom().listClusterCustomObject({ group: 'constraints.gatekeeper.sh', version: 'v1beta1', plural: kind.toLowerCase() })) as { items: Obj[] };
    return list.items;
  } catch {
    return [];
  }
}

async function getConstraint(kind: string, name: string): Promise<Obj | undefined> {
  return (await listConstraints(kind)).find((c) => c.metadata?.name === name);
}

const policies = policyApi(custom);
const policy = async (kind: PolicyKind, name: string) => (await policies.get(kind, name)) as Obj;

function readyCondition(p: Obj): { status: string; reason: string; message: string } | undefined {
  return (p.status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)?.find((c) => c.type === 'Ready');
}

async function converged(): Promise<void> {
  await waitConverged(op);
}

function onFailure(err: unknown): never {
  throw new Error(`${String(err)}\n${env.cp.logTails()}\n--- gatekeeper ---\n${env.gk.logTail(30)}`, { cause: err });
}

beforeAll(async () => {
  env = await startOperatorEnv();
  op = await env.startOperator();
}, 300000);

afterAll(async () => {
  await env?.stop();
}, 60000);

describe('operator', () => {
  test('converges from an empty cluster: every template created, PSS defaults and Config applied, ready', async () => {
    try {
      await converged();
      const templates = (await custom().listClusterCustomObject({ group: 'templates.gatekeeper.sh', version: 'v1', plural: 'constrainttemplates' })) as { items: Obj[] };
      expect(templates.items.map((t) => t.metadata?.name).sort()).toEqual(catalog.map((c) => c.kind.toLowerCase()).sort());
      expect(templates.items.every((t) => (t.status as { created?: boolean }).created === true)).toBe(true);
      const baselineKinds = catalog.filter((c) => c.pss?.baseline).map((c) => c.kind);
      for (const kind of baselineKinds) {
        expect(await getConstraint(kind, 'd8-pod-security-baseline-deny-default')).toBeDefined();
      }
      const cfg = await custom().getNamespacedCustomObject({ group: 'config.gatekeeper.sh', version: 'v1alpha1', namespace: 'gatekeeper-system', plural: 'configs', name: 'config' }) as Obj;
      // Pods (the exec guard) and SecurityPolicyExceptions (consulted by the PSS checks).
      expect(cfg.spec).toEqual({ sync: { syncOnly: [{ group: '', version: 'v1', kind: 'Pod' }, { group: 'deckhouse.io', version: 'v1alpha1', kind: 'SecurityPolicyException' }] } });
      const res = await fetch(`http://127.0.0.1:${op.port}/readyz`);
      expect(res.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
      expect(metrics).toMatch(/ape_is_leader 1/);
      expect(metrics).toMatch(/ape_api_writes_total\{verb="apply",kind="ConstraintTemplate"\} \d+/);
    } catch (err) {
      onFailure(err);
    }
  }, 180000);

  test('a privileged pod is denied in an unlabelled namespace by the baseline default', async () => {
    const ns = uniqueName('plain');
    await core().createNamespace({ body: { metadata: { name: ns } } });
    const pod = (name: string, privileged: boolean) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'app', image: 'example/app:1', securityContext: { privileged } }] } });
    const denied = await eventually('privileged pod denied', async () => {
      const r = await rawRequest(env.cp.kubeConfig, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(uniqueName('bad'), true));
      return r.status === 403 ? r : undefined;
    }, 60000, 500);
    expect(denied.json<{ message: string }>().message).toContain('[d8-pod-security-baseline-deny-default] container "app": securityContext.privileged is true');
    const ok = await rawRequest(env.cp.kubeConfig, 'POST', `/api/v1/namespaces/${ns}/pods`, pod('good', false));
    expect(ok.status).toBe(201);
  }, 120000);

  test('SecurityPolicy create, update in place, invalid update keeps constraints, delete prunes', async () => {
    const name = uniqueName('sp');
    const body = (spec: Record<string, unknown>) => securityPolicy(name, spec, matchNamespaceLabels({ enforce: name }));
    await custom().createClusterCustomObject({ group: 'deckhouse.io', version: 'v1alpha1', plural: 'securitypolicies', body: body({ allowHostNetwork: false, allowedHostPorts: [{ min: 80, max: 90 }] }) });
    const created = await eventually('host network constraint', () => getConstraint('D8HostNetwork', name), 60000);
    expect(created.spec).toMatchObject({ enforcementAction: 'deny', parameters: { allowHostNetwork: false, ranges: [{ min: 80, max: 90 }] } });
    // Constraints are applied one at a time: the next may land a moment later.
    await eventually('privileged constraint', () => getConstraint('D8PrivilegedContainer', name), 30000);
    const ready = await eventually('Ready=True', async () => {
      const p = await policy('SecurityPolicy', name);
      return readyCondition(p)?.status === 'True' ? p : undefined;
    }, 60000);
    expect(ready.spec?.enforcementAction).toBe('Deny'); // CRD default applied by the API server
    expect((ready.status?.constraints as { kind: string }[]).map((c) => c.kind)).toEqual(expect.arrayContaining(['D8HostNetwork', 'D8PrivilegedContainer', 'D8AllowPrivilegeEscalation']));

    // Update in place: same object (uid), new parameters; never deleted in between.
    await custom().patchClusterCustomObject({ group: 'deckhouse.io', version: 'v1alpha1', plural: 'securitypolicies', name, body: [{ op: 'replace', path: '/spec/policies/allowedHostPorts', value: [{ min: 100, max: 110 }] }] });
    const updated = await eventually('updated ranges', async () => {
      const c = await getConstraint('D8HostNetwork', name);
      return (c?.spec?.parameters as { ranges?: { min: number }[] } | undefined)?.ranges?.[0]?.min === 100 ? c : undefined;
    }, 60000);
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);

    // An invalid update (min > max is caught by validation) keeps the last applied constraints.
    await custom().patchClusterCustomObject({ group: 'deckhouse.io', version: 'v1alpha1', plural: 'securitypolicies', name, body: [{ op: 'replace', path: '/spec/policies/allowedHostPorts', value: [{ min: 500, max: 400 }] }] });
    const invalid = await eventually('Ready=False Invalid', async () => {
      const p = await policy('SecurityPolicy', name);
      return readyCondition(p)?.reason === 'Invalid' ? p : undefined;
    }, 60000);
    expect(readyCondition(invalid)?.message).toContain('spec.policies.allowedHostPorts[0]');
    expect((invalid.status?.errors as { field: string }[])[0]?.field).toContain('spec.policies.allowedHostPorts[0]');
    const kept = await getConstraint('D8HostNetwork', name);
    expect(kept?.metadata?.uid).toBe(created.metadata?.uid);
    expect((kept?.spec?.parameters as { ranges: { min: number }[] }).ranges[0]?.min).toBe(100);
    const events = await core().listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${name}` });
    expect(events.items.some((e) => e.reason === 'InvalidPolicy' && e.type === 'Warning' && (e.message ?? '').includes('allowedHostPorts'))).toBe(true);

    await custom().deleteClusterCustomObject({ group: 'deckhouse.io', version: 'v1alpha1', plural: 'securitypolicies', name });
    await eventually('constraints pruned', async () => (await getConstraint('D8HostNetwork', name)) === undefined && (await getConstraint('D8PrivilegedContainer', name)) === undefined, 60000);
  }, 240000);

  test('the API server itself rejects policies the CRD schema forbids (name over 63, bad enum)', async () => {
    const body = (name: string, action: string) => securityPolicy(name, {}, matchNames('x'), { enforcementAction: action });
    const long = await rawRequest(env.cp.kubeConfig, 'POST', '/apis/deckhouse.io/v1alpha1/securitypolicies', body('a'.repeat(64), 'Deny'));
    expect(long.status).toBe(422);
    expect(long.body).toContain('at most 63 characters');
    const enumBad = await rawRequest(env.cp.kubeConfig, 'POST', '/apis/deckhouse.io/v1alpha1/securitypolicies', body('enum-bad', 'Block'));
    expect(enumBad.status).toBe(422);
    expect(enumBad.body).toContain('spec.enforcementAction');
  }, 60000);

  test('namespace action labels add and remove a constraint set; an invalid label is reported', async () => {
    const ns = uniqueName('warned');
    await core().createNamespace({ body: { metadata: { name: ns, labels: { 'security.deckhouse.io/pod-policy-action': 'warn' } } } });
    await eventually('warn set', () => getConstraint('D8PrivilegedContainer', 'd8-pod-security-baseline-warn'), 60000);
    await core().patchNamespace({ name: ns, body: [{ op: 'remove', path: '/metadata/labels/security.deckhouse.io~1pod-policy-action' }] });
    await eventually('warn set removed', async () => (await getConstraint('D8PrivilegedContainer', 'd8-pod-security-baseline-warn')) === undefined, 60000);

    const bad = uniqueName('strict');
    await core().createNamespace({ body: { metadata: { name: bad, labels: { 'security.deckhouse.io/pod-policy': 'strict' } } } });
    const ev = await eventually('invalid label event', async () => {
      const events = await core().listNamespacedEvent({ namespace: bad });
      return events.items.find((e) => e.reason === 'InvalidLabel');
    }, 60000);
    expect(ev.type).toBe('Warning');
    expect(ev.message).toContain('security.deckhouse.io/pod-policy="strict"');
    const metrics = await (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
    expect(metrics).toMatch(/ape_namespace_invalid_labels\{label="security.deckhouse.io\/pod-policy"\} 1/);
  }, 180000);

  test('requiredLabels on a cluster-scoped watchKind: an unlabelled Namespace is denied, a labelled one admitted', async () => {
    const name = uniqueName('ns-labels');
    await policies.create(operationPolicy(name, { requiredLabels: { labels: [{ key: 'team' }], watchKinds: ['/Namespace'] } }, matchNames('*')));
    const c = await eventually('required labels constraint', () => getConstraint('D8RequiredLabels', name), 60000);
    // No `scope: Namespaced`: Gatekeeper would never apply that to a Namespace.
    expect((c.spec as { match: Record<string, unknown> }).match.scope).toBeUndefined();
    const nsBody = (n: string, labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels } });
    const denied = await eventually('unlabelled namespace denied', async () => {
      const r = await rawRequest(env.cp.kubeConfig, 'POST', '/api/v1/namespaces', nsBody(uniqueName('nolabel')));
      return r.status === 403 ? r : undefined;
    }, 60000, 500);
    expect(denied.json<{ message: string }>().message).toContain(`[${name}] Namespace`);
    expect(denied.json<{ message: string }>().message).toContain('metadata.labels has no label "team"');
    expect((await rawRequest(env.cp.kubeConfig, 'POST', '/api/v1/namespaces', nsBody(uniqueName('labelled'), { team: 'a' }))).status).toBe(201);
    await policies.delete('OperationPolicy', name);
    // `*` reaches system namespaces too: the policy also had d8-system-warn-/d8-system-enforce- variants.
    for (const n of [name, `d8-system-warn-${name}`, `d8-system-enforce-${name}`]) {
      await eventually(`${n} pruned`, async () => (await getConstraint('D8RequiredLabels', n)) === undefined, 60000);
    }
  }, 180000);

  test('a Deny policy reaching system namespaces warns in d8-*/kube-* and denies only where they opted in (reference §5.3)', async () => {
    const name = uniqueName('sysns');
    const optedOut = uniqueName('d8-plain');
    const optedIn = uniqueName('d8-checked');
    const user = uniqueName('user');
    // `team` satisfies the requiredLabels policy of the test before, should Gatekeeper still hold it.
    await core().createNamespace({ body: { metadata: { name: optedOut, labels: { sysns: name, team: 'a' } } } });
    await core().createNamespace({ body: { metadata: { name: optedIn, labels: { sysns: name, team: 'a', 'security.deckhouse.io/enable-security-policy-check': 'true' } } } });
    await core().createNamespace({ body: { metadata: { name: user, labels: { sysns: name, team: 'a' } } } });
    await policies.create(securityPolicy(name, { allowHostNetwork: false }, matchNamespaceLabels({ sysns: name })));
    for (const n of [name, `d8-system-warn-${name}`, `d8-system-enforce-${name}`]) await eventually(`constraint ${n}`, () => getConstraint('D8HostNetwork', n), 60000);
    const pod = (ns: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('hostnet'), namespace: ns }, spec: { hostNetwork: true, containers: [{ name: 'app', image: 'example/app:1' }] } });
    const post = (ns: string) => rawRequest(env.cp.kubeConfig, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(ns));
    await eventually('denied in the user namespace', async () => ((await post(user)).status === 403 ? true : undefined), 60000, 500);
    // An opted-in system namespace also gets the PSS sets: wait for our variant among the reasons.
    const enforced = await eventually('denied in the opted-in system namespace', async () => {
      const r = await post(optedIn);
      return r.status === 403 && r.json<{ message: string }>().message.includes(`[d8-system-enforce-${name}]`) ? r : undefined;
    }, 60000, 500);
    expect(enforced.status).toBe(403);
    const warned = await eventually('warned in the other system namespace', async () => {
      const r = await post(optedOut);
      return r.status === 201 && r.warnings.some((w) => w.includes(`[d8-system-warn-${name}]`)) ? r : undefined;
    }, 60000, 500);
    expect(warned.status).toBe(201);
    await policies.delete('SecurityPolicy', name);
    for (const n of [name, `d8-system-warn-${name}`, `d8-system-enforce-${name}`]) {
      await eventually(`${n} pruned`, async () => (await getConstraint('D8HostNetwork', n)) === undefined, 60000);
    }
  }, 240000);

  test('a watchKind the API server does not serve is reported on the policy (Unsupported), not silently matched by nothing', async () => {
    const name = uniqueName('unserved');
    await policies.create(operationPolicy(name, { requiredLabels: { labels: [{ key: 'team' }], watchKinds: ['/Namespace', 'example.com/Widget'] } }, matchNames('*')));
    const p = await eventually('Unsupported', async () => {
      const got = await policy('OperationPolicy', name);
      const c = readyCondition(got);
      return c?.reason === 'Unsupported' ? c : undefined;
    }, 60000, 250);
    expect(p.status).toBe('False');
    expect(p.message).toContain('spec.policies.requiredLabels.watchKinds[1] "example.com/Widget" is not served by this cluster');
    await policies.delete('OperationPolicy', name);
  }, 120000);

  test('quiet at rest: resyncs write nothing, and a restarted operator writes nothing', async () => {
    await converged();
    // Let writes caused by earlier tests (events are recorded asynchronously) land first.
    const nonLease = () => env.cp.auditWrites(OPERATOR_USER).filter((e) => e.objectRef?.resource !== 'leases').length;
    let last = -1;
    await eventually('no writes for 1 s', () => {
      const n = nonLease();
      const stable = n === last;
      last = n;
      return Promise.resolve(stable);
    }, 30000, 1000);
    const before = env.cp.auditWrites(OPERATOR_USER).length;
    for (let i = 0; i < 3; i++) {
      op.controller.markDirty();
      await new Promise((r) => setTimeout(r, 200));
      await op.controller.settled();
      expect(op.controller.report?.writes).toBe(0);
    }
    await op.stop();
    const afterStop = env.cp.auditWrites(OPERATOR_USER);
    // Lease renewals (and the release on stop) are the only writes of a leader at rest.
    const atRest = afterStop.slice(before);
    expect(atRest.filter((e) => e.objectRef?.resource !== 'leases').map((e) => `${e.verb} ${e.objectRef?.resource}/${e.objectRef?.name}`)).toEqual([]);
    expect(atRest.some((e) => e.verb === 'update' && e.objectRef?.resource === 'leases')).toBe(true);
    op = await env.startOperator('op-2');
    await converged();
    // Events it had recorded are created again and refused (409: the name is a hash of object,
    // reason and message, src/reconcile/events.ts): a refused create changes nothing.
    const restartWrites = env.cp.auditWrites(OPERATOR_USER).slice(afterStop.length)
      .filter((e) => e.objectRef?.resource !== 'leases' && !(e.objectRef?.resource === 'events' && e.responseStatus?.code === 409));
    expect(restartWrites.map((e) => `${e.verb} ${e.objectRef?.resource}/${e.objectRef?.name}`)).toEqual([]);
  }, 180000);

  test('a Pod UPDATE touching only metadata is admitted on an old privileged pod, a spec change is denied (as PSA)', async () => {
    try {
      await converged();
      const ns = uniqueName('psa-update');
      const level = (l: string) => ({ 'security.deckhouse.io/pod-policy': l });
      await core().createNamespace({ body: { metadata: { name: ns, labels: level('privileged') } } });
      const podsPath = `/api/v1/namespaces/${ns}/pods`;
      const name = 'old-privileged';
      const pod = (podName: string) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName, namespace: ns, labels: { app: 'a' }, finalizers: ['example.com/keep'] },
        spec: { containers: [{ name: 'app', image: 'example/app:1', securityContext: { privileged: true } }] },
      });
      // Admitted while the namespace is privileged (retried until Gatekeeper sees the namespace's label).
      await eventually('privileged pod admitted in a privileged namespace', async () => (await rawRequest(env.cp.kubeConfig, 'POST', podsPath, pod(name))).status === 201, 60000, 500);
      // Tighten the namespace: the pod stays, now non-compliant. Wait until new privileged pods are denied.
      await core().patchNamespace({ name: ns, body: [{ op: 'replace', path: '/metadata/labels', value: level('baseline') }] });
      await eventually('privileged pods denied after relabel', async () => (await rawRequest(env.cp.kubeConfig, 'POST', `${podsPath}?dryRun=All`, pod('probe'))).status === 403, 60000, 500);

      const patch = (ops: unknown[]) => rawRequest(env.cp.kubeConfig, 'PATCH', `${podsPath}/${name}`, ops, 'application/json-patch+json');
      const relabel = await patch([{ op: 'replace', path: '/metadata/labels/app', value: 'b' }]);
      expect(relabel.status).toBe(200);
      const specChange = await patch([{ op: 'add', path: '/spec/activeDeadlineSeconds', value: 3600 }]);
      expect(specChange.status).toBe(403);
      expect(specChange.json<{ message: string }>().message).toContain('container "app": securityContext.privileged is true');
      // The case that hung before: a deleted pod held by its finalizer can now lose it and go away.
      const del = await rawRequest(env.cp.kubeConfig, 'DELETE', `${podsPath}/${name}`);
      expect(del.status).toBe(200);
      const unfinalize = await patch([{ op: 'remove', path: '/metadata/finalizers' }]);
      expect(unfinalize.status).toBe(200);
      await eventually('pod gone', async () => (await rawRequest(env.cp.kubeConfig, 'GET', `${podsPath}/${name}`)).status === 404, 30000, 500);
    } catch (err) {
      onFailure(err);
    }
  }, 180000);
});
