// SecurityPolicyException end to end: the operator (with its shipped RBAC) compiles a policy and
// keeps SecurityPolicyExceptions in Gatekeeper's Config sync list; a real Gatekeeper reads the
// exception from its inventory when a Pod (or pod template) references it by label.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';
import { startOperatorEnv, type OperatorEnv, waitConverged } from '../harness/operator-env.js';
import { GATEKEEPER_NAMESPACE } from '../harness/gatekeeper.js';
import type { Operator } from '../../src/cli/run.js';
import { eventually, rawRequest, ssaApply, uniqueName, type RawResponse } from '../helpers/kube.js';
import { matchNames, policyApi, securityPolicy } from '../helpers/policies.js';

type Obj = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };

const POD_LABEL = 'security.deckhouse.io/security-policy-exception';
const containerLabel = (c: string) => `${POD_LABEL}.container.${c}`;

let env: OperatorEnv;
let op: Operator;
let admin: KubeConfig;

const custom = () => admin.makeApiClient(CustomObjectsApi);
const policies = policyApi(custom);

function message(r: RawResponse): string {
  try {
    return r.json<{ message?: string }>().message ?? r.body;
  } catch {
    return r.body;
  }
}

async function withLogs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${env.cp.logTails()}\n--- gatekeeper ---\n${env.gk.logTail(40)}`, { cause: err });
  }
}

async function namespace(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  // Privileged PSS level: only the SecurityPolicy under test judges the pods.
  const r = await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'security.deckhouse.io/pod-policy': 'privileged' } } });
  if (r.status !== 201) throw new Error(`create ns ${name}: ${r.status} ${r.body}`);
  return name;
}

async function exception(ns: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await custom().createNamespacedCustomObject({ group: 'deckhouse.io', version: 'v1alpha1', namespace: ns, plural: 'securitypolicyexceptions', body: { apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicyException', metadata: { name, namespace: ns }, spec } });
}

type PodSpec = Record<string, unknown>;
const createPod = (ns: string, labels: Record<string, string>, spec: PodSpec) =>
  rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('pod'), namespace: ns, labels }, spec });

/** Admitted once Gatekeeper's inventory holds the exception (a fresh exception syncs within seconds). */
async function eventuallyAdmitted(ns: string, labels: Record<string, string>, spec: PodSpec): Promise<string> {
  let last = '';
  try {
    return await eventually('pod admitted', async () => {
      const r = await createPod(ns, labels, spec);
      last = `${r.status}: ${message(r)}`;
      return r.status === 201 ? r.json<{ metadata: { name: string } }>().metadata.name : undefined;
    }, 60000, 500);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last answer ${last}`, { cause: err });
  }
}

async function denied(ns: string, labels: Record<string, string>, spec: PodSpec): Promise<string> {
  const r = await createPod(ns, labels, spec);
  expect(r.status).toBe(403);
  return message(r);
}

const app = { name: 'app', image: 'example.com/app:1.0' };
const sidecar = { name: 'net-sidecar', image: 'example.com/cni:1.0', securityContext: { privileged: true } };
const logs = (readOnly: boolean, path = '/var/log') => ({
  containers: [{ ...app, volumeMounts: [{ name: 'logs', mountPath: '/logs', readOnly }] }],
  volumes: [{ name: 'logs', hostPath: { path } }],
});

beforeAll(async () => {
  env = await startOperatorEnv();
  admin = env.cp.kubeConfig;
  // Exception usage recounted every 2 s (60 s by default) so the status test need not wait.
  op = await env.startOperator('op-1', { exceptionStatusMs: 2000 });
  await withLogs(() => waitConverged(op));
}, 240000);

afterAll(async () => {
  await env?.stop();
}, 60000);

describe('SecurityPolicyException', () => {
  test('a privileged sidecar is admitted with a container-level exception and denied without it; a hostPath only for the exact path and readOnly value', () => withLogs(async () => {
    const ns = await namespace('spe');
    const name = uniqueName('spe-policy');
    await policies.create(securityPolicy(name, { allowPrivilegeEscalation: true, allowedHostPaths: [] }, matchNames(ns)));

    // The operator syncs exceptions into Gatekeeper's inventory.
    await eventually('Gatekeeper Config syncs SecurityPolicyExceptions', async () => {
      const cfg = (await custom().getNamespacedCustomObject({ group: 'config.gatekeeper.sh', version: 'v1alpha1', namespace: GATEKEEPER_NAMESPACE, plural: 'configs', name: 'config' })) as Obj;
      const syncOnly = (cfg.spec as { sync?: { syncOnly?: { group: string; kind: string }[] } } | undefined)?.sync?.syncOnly ?? [];
      return syncOnly.some((s) => s.group === 'deckhouse.io' && s.kind === 'SecurityPolicyException') ? true : undefined;
    }, 60000, 500);

    // Without any exception: denied by the policy (once its constraints are enforced).
    const plain = await eventually('privileged sidecar denied', async () => {
      const r = await createPod(ns, {}, { containers: [app, sidecar] });
      return r.status === 403 ? message(r) : undefined;
    }, 90000, 500);
    expect(plain).toContain(`[${name}] container "net-sidecar": securityContext.privileged is true; privileged containers are not allowed`);

    await exception(ns, 'cni-sidecar', { securityContext: { privileged: { allowedValue: true, metadata: { reason: 'CNI sidecar', ticket: 'SEC-42' } } } });
    await exception(ns, 'var-log', { volumes: { hostPath: { allowedValues: [{ path: '/var/log', readOnly: true }] } } });

    const sidecarPod = await eventuallyAdmitted(ns, { [containerLabel('net-sidecar')]: 'cni-sidecar' }, { containers: [app, sidecar] });
    // The container-level label covers its container only.
    const other = await denied(ns, { [containerLabel('app')]: 'cni-sidecar' }, { containers: [app, sidecar] });
    expect(other).toContain('container "net-sidecar": securityContext.privileged is true');
    // A label naming a missing exception is a violation that says so.
    const missing = await denied(ns, { [containerLabel('net-sidecar')]: 'no-such' }, { containers: [app, sidecar] });
    expect(missing).toContain(`names exception "no-such", which does not exist in namespace "${ns}"`);

    const logsPod = await eventuallyAdmitted(ns, { [POD_LABEL]: 'var-log' }, logs(true));
    const writable = await denied(ns, { [POD_LABEL]: 'var-log' }, logs(false));
    expect(writable).toContain('volume "logs": hostPath.path is "/var/log"; hostPath volumes are not allowed; exception "var-log" allows volumes.hostPath: "/var/log" (readOnly)');
    const deeper = await denied(ns, { [POD_LABEL]: 'var-log' }, logs(true, '/var/log/pods'));
    expect(deeper).toContain('hostPath.path is "/var/log/pods"');
    await denied(ns, {}, logs(true));

    // Each exception's status lists who uses it (the admitted Pods), for auditors; an unused one says so.
    await exception(ns, 'unused', { network: { hostNetwork: { allowedValue: true } } });
    const usage = async (name: string) => ((await custom().getNamespacedCustomObject({ group: 'deckhouse.io', version: 'v1alpha1', namespace: ns, plural: 'securitypolicyexceptions', name })) as Obj).status;
    let seen: unknown[] = [];
    await eventually('exception status lists its users', async () => {
      const [sidecarUse, logsUse, unused] = [await usage('cni-sidecar'), await usage('var-log'), await usage('unused')];
      seen = [sidecarUse, logsUse, unused];
      return isDeepStrictEqual(sidecarUse?.usedBy, { count: 1, objects: [{ kind: 'Pod', name: sidecarPod, containers: ['net-sidecar'] }] })
        && isDeepStrictEqual(logsUse?.usedBy, { count: 1, objects: [{ kind: 'Pod', name: logsPod }] })
        && (unused?.usedBy as { count?: number } | undefined)?.count === 0
        && String(unused?.message).includes('no workload in the namespace references this exception') ? true : undefined;
    }, 30000, 500).catch(async (err: unknown) => {
      const errors = (await (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text()).split('\n').filter((l) => l.startsWith('ape_errors_total'));
      throw new Error(`${String(err)}; statuses ${JSON.stringify(seen)}; pods ${sidecarPod}, ${logsPod}; ${errors.join(' ')}`);
    });
  }), 240000);

  test('skip-pss-check: only a trusted identity may set it (manifests/skip-pss-check-guard.yaml)', () => withLogs(async () => {
    const api = KubernetesObjectApi.makeApiClient(admin);
    const manifests = ['skip-pss-check-guard.yaml', 'securitypolicyexception-editor.yaml'];
    for (const file of manifests) {
      for (const doc of parseAllDocuments(readFileSync(join(packageRoot(), 'manifests', file), 'utf8'))) await ssaApply(api, doc.toJS() as KubernetesObject, 'ape-test-bed');
    }
    const ns = await namespace('skip');
    // alice may manage pods in the namespace; bob may also grant exceptions there.
    const bind = (user: string, role: string, kind = 'Role') => rawRequest(admin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${user}-${role}`.replace(/[^a-z0-9-]/g, '-') },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    });
    expect((await rawRequest(admin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'update', 'patch', 'get'] }],
    })).status).toBe(201);
    for (const r of [await bind('alice', 'pods'), await bind('bob', 'pods'), await bind('bob', 'd8:admission-policy-engine:securitypolicyexception-editor', 'ClusterRole')]) expect(r.status).toBe(201);
    const skipPod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { 'security.deckhouse.io/skip-pss-check': 'true' } }, spec: { containers: [app] } });
    const asUser = (user: string, name: string) => rawRequest(env.cp.kubeConfigFor(user), 'POST', `/api/v1/namespaces/${ns}/pods`, skipPod(name));
    const alice = await eventually('guard active', async () => {
      const r = await asUser('alice', uniqueName('skip'));
      return r.status === 403 || r.status === 422 ? r : undefined;
    }, 30000, 500);
    expect(message(alice)).toContain('the label security.deckhouse.io/skip-pss-check=true exempts this object from the Pod Security Standards');
    expect((await asUser('bob', uniqueName('skip'))).status).toBe(201);
    expect((await createPod(ns, { 'security.deckhouse.io/skip-pss-check': 'true' }, { containers: [app] })).status).toBe(201);
    // A pod without the label is alice's to create as before.
    expect((await rawRequest(env.cp.kubeConfigFor('alice'), 'POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('plain'), namespace: ns }, spec: { containers: [app] } })).status).toBe(201);
  }), 120000);
});
