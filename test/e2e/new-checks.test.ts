// The checks for Services, Ingresses, RBAC and GPU resources end to end: policies applied by the
// operator (with its shipped RBAC) to a real API server and a real Gatekeeper, and admission
// decisions on real requests. What each policy does not select is admitted, so the decisions are
// the policy's own.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { startOperatorEnv, type OperatorEnv, waitConverged } from '../harness/operator-env.js';
import { GATEKEEPER_NAMESPACE } from '../harness/gatekeeper.js';
import type { Operator } from '../../src/cli/run.js';
import type { PolicyKind } from '../../src/api/types.js';
import { eventually, rawRequest, uniqueName, type RawResponse, GATEKEEPER_DENIED } from '../helpers/kube.js';
import { matchNames, operationPolicy, policyApi, securityPolicy } from '../helpers/policies.js';

type Obj = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };

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

async function namespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = uniqueName(prefix);
  const r = await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  if (r.status !== 201) throw new Error(`create ns ${name}: ${r.status} ${r.body}`);
  return name;
}

/** A creatable object in a namespace: the collection path and a body for a given object name. */
interface Kind { path: (ns: string) => string; body: (ns: string, name: string) => Obj }

const create = (kind: Kind, ns: string, name = uniqueName('obj')) => rawRequest(admin, 'POST', kind.path(ns), kind.body(ns, name));

async function expectAdmitted(kind: Kind, ns: string): Promise<void> {
  const r = await create(kind, ns);
  if (r.status !== 201) throw new Error(`expected ${kind.path(ns)} admitted, got ${r.status}: ${message(r)}`);
  expect(r.warnings).toEqual([]);
}

/** Retries with fresh names until a create is denied with every `expected` text; returns the message. */
async function eventuallyDenied(kind: Kind, ns: string, expected: string[], timeoutMs = 60000): Promise<string> {
  let last = '';
  try {
    const r = await eventually(`denied: ${kind.path(ns)}`, async () => {
      const res = await create(kind, ns);
      last = `${res.status}: ${message(res)}`;
      return res.status === 403 && expected.every((e) => message(res).includes(e)) ? message(res) : undefined;
    }, timeoutMs, 500);
    return r;
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; expected a denial containing ${JSON.stringify(expected)}; last answer ${last}`, { cause: err });
  }
}

/** Gatekeeper reports the constraint enforced by its webhook. */
async function constraintEnforced(kind: string, name: string): Promise<void> {
  await eventually(`${kind}/${name} enforced by Gatekeeper`, async () => {
    // The constraint's kind is served once Gatekeeper has created it from the template.
    const list = (await custom().listClusterCustomObject({ group: 'constraints.gatekeeper.sh', version: 'v1beta1', plural: kind.toLowerCase() })
      .catch(() => undefined)) as { items: Obj[] } | undefined;
    const c = list?.items.find((x) => x.metadata?.name === name);
    const byPod = (c?.status as { byPod?: { enforced?: boolean; operations?: string[] }[] } | undefined)?.byPod ?? [];
    return byPod.some((p) => p.enforced && (p.operations ?? []).includes('webhook'));
  }, 60000, 500);
}

/** The policy is Ready, lists exactly `kinds` as its constraints, and Gatekeeper enforces each. */
async function policyEnforced(kind: PolicyKind, name: string, kinds: string[]): Promise<void> {
  const p = await eventually(`${kind}/${name} Ready`, async () => {
    const got = await policies.get(kind, name);
    const ready = (got.status?.conditions as { type: string; status: string; observedGeneration?: number }[] | undefined)?.find((c) => c.type === 'Ready');
    return ready?.status === 'True' && ready.observedGeneration === got.metadata?.generation ? got : undefined;
  }, 60000, 500);
  const constraints = (p.status?.constraints as { kind: string; name: string }[] | undefined) ?? [];
  expect(constraints.map((c) => c.kind).sort()).toEqual([...kinds].sort());
  for (const c of constraints) await constraintEnforced(c.kind, c.name);
}

async function withLogs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${env.cp.logTails()}\n--- gatekeeper ---\n${env.gk.logTail(40)}`, { cause: err });
  }
}

// Objects.
const service = (type?: string): Kind => ({
  path: (ns) => `/api/v1/namespaces/${ns}/services`,
  body: (ns, name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ...(type ? { type } : {}), selector: { app: 'web' }, ports: [{ port: 80 }] } }),
});
const ingress = (host: string): Kind => ({
  path: (ns) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
  body: (ns, name) => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns },
    spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  }),
});
const role = (verbs: string[]): Kind => ({
  path: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
  body: (ns, name) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs }] }),
});
const pod = (resources: Record<string, string>): Kind => ({
  path: (ns) => `/api/v1/namespaces/${ns}/pods`,
  body: (ns, name) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: 'example.com/app:1.0', resources: { limits: resources } }] },
  }),
});

beforeAll(async () => {
  env = await startOperatorEnv();
  admin = env.cp.kubeConfig;
  op = await env.startOperator();
  await withLogs(() => waitConverged(op));
}, 240000);

afterAll(async () => {
  await env?.stop();
}, 60000);

describe('SecurityPolicy: Service types, wildcard Ingress hosts, RBAC wildcards', () => {
  test('allowedServiceTypes [ClusterIP], blockWildcardDomains and allowRbacWildcards: false deny in the selected namespace only', () => withLogs(async () => {
    const ns = await namespace('sp-new');
    const other = await namespace('sp-other');
    const name = uniqueName('new-checks');
    // Privileged containers and escalation allowed: only the checks under test are compiled.
    await policies.create(securityPolicy(name, {
      allowPrivileged: true, allowPrivilegeEscalation: true,
      allowedServiceTypes: ['ClusterIP'], blockWildcardDomains: true, allowRbacWildcards: false,
    }, matchNames(ns)));
    await policyEnforced('SecurityPolicy', name, ['D8AllowRbacWildcards', 'D8AllowedIngresses', 'D8AllowedServiceTypes']);

    const nodePort = await eventuallyDenied(service('NodePort'), ns, [`[${name}] Service "`]);
    expect(nodePort).toMatch(GATEKEEPER_DENIED);
    expect(nodePort).toMatch(/Service "[^"]+": spec\.type is "NodePort"; allowed Service types: \["ClusterIP"\]/);
    await expectAdmitted(service('ClusterIP'), ns);
    await expectAdmitted(service(), ns);

    const wildcard = await eventuallyDenied(ingress('*.example.com'), ns, [`[${name}] Ingress "`]);
    expect(wildcard).toMatch(/Ingress "[^"]+": spec\.rules\[0\]\.host is "\*\.example\.com"; wildcard hosts are not allowed/);
    await expectAdmitted(ingress('app.example.com'), ns);

    const star = await eventuallyDenied(role(['*']), ns, [`[${name}] Role "`]);
    expect(star).toMatch(/Role "[^"]+": rules\[0\]\.verbs\[0\] is "\*"; wildcards \("\*"\) are not allowed in RBAC rules/);
    await expectAdmitted(role(['get', 'list']), ns);

    // Namespaces the policy does not select are not affected.
    await expectAdmitted(service('NodePort'), other);
    await expectAdmitted(ingress('*.example.com'), other);
    await expectAdmitted(role(['*']), other);
  }), 180000);
});

describe('OperationPolicy: GPU resources and disallowed custom resources', () => {
  test('gpuResourceRestriction denies a GPU pod in an unlabelled namespace and admits it in a labelled one; disallowedCustomResources denies its resource', () => withLogs(async () => {
    const labelKey = 'gpu.deckhouse.io/enabled';
    const gpuNs = await namespace('gpu-yes', { [labelKey]: 'true' });
    const plainNs = await namespace('gpu-no');
    const name = uniqueName('gpu');
    await policies.create(operationPolicy(name, {
      gpuResourceRestriction: { namespaceLabel: { key: labelKey, value: 'true' } },
      disallowedCustomResources: ['^example\\.com/fpga$'],
    }, matchNames(gpuNs, plainNs)));
    await policyEnforced('OperationPolicy', name, ['D8DisallowedCustomResources', 'D8GpuResourceRestriction']);

    // The check reads namespace labels from Gatekeeper's inventory: the operator syncs Namespaces.
    const config = await eventually('Gatekeeper Config syncs Namespaces', async () => {
      const cfg = (await custom().getNamespacedCustomObject({ group: 'config.gatekeeper.sh', version: 'v1alpha1', namespace: GATEKEEPER_NAMESPACE, plural: 'configs', name: 'config' })) as Obj;
      const syncOnly = (cfg.spec as { sync?: { syncOnly?: { kind: string }[] } } | undefined)?.sync?.syncOnly ?? [];
      return syncOnly.some((s) => s.kind === 'Namespace') ? syncOnly : undefined;
    }, 60000, 500);
    expect(config).toEqual(expect.arrayContaining([{ group: '', version: 'v1', kind: 'Namespace' }, { group: '', version: 'v1', kind: 'Pod' }]));

    // Denied for the label (not merely because the namespace is not synced yet).
    const denied = await eventuallyDenied(pod({ 'nvidia.com/gpu': '1' }), plainNs, [
      `[${name}] container "app": requests GPU resources ["nvidia.com/gpu"]; they are allowed only in namespaces labelled "${labelKey}=true" and namespace "${plainNs}" is not`,
    ]);
    expect(denied).toMatch(GATEKEEPER_DENIED);
    // Admitted where the label is, once Gatekeeper has synced the namespace (until then: fail closed).
    const admitted = await eventually('GPU pod admitted in the labelled namespace', async () => {
      const r = await create(pod({ 'nvidia.com/gpu': '1' }), gpuNs);
      if (r.status === 403 && !message(r).includes('is not in Gatekeeper\'s inventory yet')) throw new Error(`unexpected denial: ${message(r)}`);
      return r.status === 201 ? r : undefined;
    }, 60000, 500);
    expect(admitted.warnings).toEqual([]);
    // A pod without GPU resources is admitted anywhere.
    await expectAdmitted(pod({ cpu: '100m', memory: '64Mi' }), plainNs);

    const fpga = await eventuallyDenied(pod({ 'example.com/fpga': '1' }), gpuNs, [`[${name}] container "app": resource "example.com/fpga" is requested`]);
    expect(fpga).toContain('resources matching ["^example\\\\.com/fpga$"] are not allowed');
    await expectAdmitted(pod({ 'example.com/fpga-lite': '1' }), gpuNs);
  }), 180000);
});
