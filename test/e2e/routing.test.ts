// Admission routing owned by the operator, end to end on the real API server and Gatekeeper. The
// test bed registers only what a stock Gatekeeper v3.23 chart installs (CREATE/UPDATE, fail open, and
// its mutating webhook); everything else reaching Gatekeeper comes from the operator's own
// ValidatingWebhookConfiguration. Also: the policies' Enforced condition and metric, mutation
// through Gatekeeper's mutating webhook, and the seed's "alternative tools" promise (system
// namespaces are never blocked by user policies).
import { AdmissionregistrationV1Api, CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { startOperatorEnv, waitConverged, type OperatorEnv } from '../harness/operator-env.js';
import { VALIDATING_WEBHOOK_NAME } from '../harness/gatekeeper.js';
import type { Operator } from '../../src/cli/run.js';
import { eventually, rawRequest, uniqueName, ssaApply, type RawResponse } from '../helpers/kube.js';
import { matchNames, operationPolicy, policyApi, securityPolicy } from '../helpers/policies.js';

const ROUTING = 'd8-admission-policy-engine-config';

let env: OperatorEnv;
let op: Operator;
let admin: KubeConfig;
const custom = () => admin.makeApiClient(CustomObjectsApi);
const admission = () => admin.makeApiClient(AdmissionregistrationV1Api);
const policies = () => policyApi(custom);

async function withLogs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${env.cp.logTails()}\n--- gatekeeper ---\n${env.gk.logTail(40)}`, { cause: err });
  }
}

async function apply(obj: KubernetesObject): Promise<void> {
  await ssaApply(KubernetesObjectApi.makeApiClient(admin), obj, 'kubectl');
}

async function namespace(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  const r = await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`create ns ${name}: ${r.status} ${r.body}`);
  return name;
}

function message(r: RawResponse): string {
  try {
    return r.json<{ message?: string }>().message ?? r.body;
  } catch {
    return r.body;
  }
}

const pod = (ns: string, container: Record<string, unknown> = {}, labels?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: uniqueName('pod'), namespace: ns, ...(labels ? { labels } : {}) },
  spec: { containers: [{ name: 'app', image: 'example.com/app:1.0', ...container }] },
});

async function routing(): Promise<V1ValidatingWebhookConfiguration | undefined> {
  try {
    return await admission().readValidatingWebhookConfiguration({ name: ROUTING });
  } catch {
    return undefined;
  }
}

async function enforcedCondition(kind: 'SecurityPolicy' | 'OperationPolicy', name: string) {
  const got = await policies().get(kind, name);
  return (got.status?.conditions as { type: string; status: string; reason: string }[] | undefined)?.find((c) => c.type === 'Enforced');
}

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
}

beforeAll(async () => {
  env = await startOperatorEnv();
  admin = env.cp.kubeConfig;
  op = await env.startOperator();
  await withLogs(() => waitConverged(op));
}, 240000);

afterAll(async () => {
  await env?.stop();
}, 60000);

describe('the routing configuration', () => {
  test('points at Gatekeeper\'s endpoint with its CA, is owned by Gatekeeper\'s configuration and routes CONNECT for exec/attach', () => withLogs(async () => {
    const gk = await admission().readValidatingWebhookConfiguration({ name: VALIDATING_WEBHOOK_NAME });
    const vwc = await eventually('routing created', routing, 60000, 500);
    expect(vwc.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('admission-policy-engine');
    expect(vwc.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'ValidatingWebhookConfiguration', name: VALIDATING_WEBHOOK_NAME, uid: gk.metadata?.uid })]);
    const [user, system] = vwc.webhooks ?? [];
    expect(user.clientConfig.url).toBe(gk.webhooks![0].clientConfig.url);
    expect(user.clientConfig.caBundle).toBe(gk.webhooks![0].clientConfig.caBundle);
    expect([user.failurePolicy, user.timeoutSeconds, system.failurePolicy]).toEqual(['Fail', 3, 'Ignore']);
    expect(user.rules).toContainEqual(expect.objectContaining({ operations: ['CONNECT'], resources: ['pods/attach', 'pods/exec'] }));
    expect(user.rules).toContainEqual(expect.objectContaining({ apiGroups: [''], resources: expect.arrayContaining(['pods', 'pods/ephemeralcontainers']) as unknown }));
    // Gatekeeper's own stays exactly as its chart made it: no DELETE, no CONNECT.
    expect(gk.webhooks![0].rules).toEqual([expect.objectContaining({ operations: ['CREATE', 'UPDATE'] })]);
  }), 90000);

  test('a custom template that judges DELETE adds DELETE routing for every resource (its constraints are never read), only while it exists', () => withLogs(async () => {
    await apply({
      apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: 'routingdeleteguard' },
      spec: {
        crd: { spec: { names: { kind: 'RoutingDeleteGuard' } } },
        targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: 'package routing\nviolation[{"msg": "no"}] { input.review.operation == "DELETE"; input.review.oldObject.metadata.labels.keep == "yes" }' }],
      },
    } as KubernetesObject);
    await eventually('constraint kind served', async () => {
      await apply({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'RoutingDeleteGuard', metadata: { name: 'keep-configmaps' }, spec: { match: { kinds: [{ apiGroups: [''], kinds: ['ConfigMap'] }] } } } as KubernetesObject);
      return true;
    }, 60000, 500);
    // DELETE of every resource, in both webhooks, as Gatekeeper's own enableDeleteOperations routes it.
    const deleteRule = (v: V1ValidatingWebhookConfiguration | undefined) => v?.webhooks?.[0].rules?.find((r) => r.operations?.includes('DELETE'));
    const routed = await eventually('DELETE routed', async () => {
      const v = await routing();
      return deleteRule(v) ? v : undefined;
    }, 60000, 500);
    expect(deleteRule(routed)).toMatchObject({ apiGroups: ['*'], operations: ['DELETE'], resources: ['*'] });
    expect(routed.webhooks?.every((w) => w.rules?.some((r) => r.operations?.includes('DELETE') && r.resources?.includes('*')))).toBe(true);
    const uid = routed.metadata?.uid;
    // Denied through the operator's routing (a stock Gatekeeper never sees the DELETE); Gatekeeper
    // matches the constraint's kinds: a Secret with the same label is deleted.
    const ns = await namespace('routing-delete');
    await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', labels: { keep: 'yes' } } });
    await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', labels: { keep: 'yes' } } });
    const denied = await eventually('delete denied', async () => {
      const r = await rawRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/kept?dryRun=All`);
      return r.status === 403 ? r : undefined;
    }, 60000, 500);
    expect(message(denied)).toContain('[keep-configmaps] no');
    expect((await rawRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}/secrets/other?dryRun=All`)).status).toBe(200);
    // Removing the constraint changes nothing (routing follows templates); removing the template does.
    await rawRequest(admin, 'DELETE', '/apis/constraints.gatekeeper.sh/v1beta1/routingdeleteguard/keep-configmaps');
    await rawRequest(admin, 'DELETE', '/apis/templates.gatekeeper.sh/v1/constrainttemplates/routingdeleteguard');
    const after = await eventually('DELETE routing gone', async () => {
      const v = await routing();
      return v && !deleteRule(v) ? v : undefined;
    }, 60000, 500);
    expect(after.metadata?.uid).toBe(uid); // updated in place
  }), 180000);

  test('failure policy and timeout come from the ModuleConfig settings, updated in place', () => withLogs(async () => {
    const before = await eventually('routing', routing, 60000, 500);
    await apply({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleConfig', metadata: { name: 'admission-policy-engine' }, spec: { version: 1, settings: { admissionWebhook: { failurePolicy: 'Ignore', timeoutSeconds: 7 } } } } as KubernetesObject);
    try {
      const changed = await eventually('routing follows settings', async () => {
        const v = await routing();
        return v?.webhooks?.[0].failurePolicy === 'Ignore' && v.webhooks[0].timeoutSeconds === 7 ? v : undefined;
      }, 60000, 500);
      expect(changed.metadata?.uid).toBe(before.metadata?.uid);
      expect(changed.webhooks?.[1].failurePolicy).toBe('Ignore');
      expect(changed.webhooks?.[1].timeoutSeconds).toBe(7);
    } finally {
      await rawRequest(admin, 'DELETE', '/apis/deckhouse.io/v1alpha1/moduleconfigs/admission-policy-engine');
    }
    await eventually('back to the defaults', async () => (await routing())?.webhooks?.[0].failurePolicy === 'Fail', 60000, 500);
  }), 150000);
});

describe('mutation through Gatekeeper\'s own mutating webhook', () => {
  test('AssignMetadata, Assign, ModifySet and AssignImage mutate a new Pod', () => withLogs(async () => {
    const ns = await namespace('mutate');
    const match = { scope: 'Namespaced', kinds: [{ apiGroups: [''], kinds: ['Pod'] }], namespaces: [ns] };
    await apply({ apiVersion: 'mutations.gatekeeper.sh/v1', kind: 'AssignMetadata', metadata: { name: 'team-label' }, spec: { match, location: 'metadata.labels.team', parameters: { assign: { value: 'platform' } } } } as KubernetesObject);
    await apply({ apiVersion: 'mutations.gatekeeper.sh/v1', kind: 'Assign', metadata: { name: 'always-pull' }, spec: { applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'] }], match, location: 'spec.containers[name:*].imagePullPolicy', parameters: { assign: { value: 'Always' } } } } as KubernetesObject);
    await apply({ apiVersion: 'mutations.gatekeeper.sh/v1', kind: 'ModifySet', metadata: { name: 'verbose-args' }, spec: { applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'] }], match, location: 'spec.containers[name:*].args', parameters: { operation: 'merge', values: { fromList: ['--verbose'] } } } } as KubernetesObject);
    await apply({ apiVersion: 'mutations.gatekeeper.sh/v1alpha1', kind: 'AssignImage', metadata: { name: 'mirror' }, spec: { applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'] }], match, location: 'spec.containers[name:*].image', parameters: { assignDomain: 'mirror.example.com' } } } as KubernetesObject);
    type Mutated = { metadata: { labels?: Record<string, string> }; spec: { containers: { image: string; imagePullPolicy?: string; args?: string[] }[] } };
    const mutated = await eventually('every mutator applied', async () => {
      const r = await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(ns));
      if (r.status !== 201) throw new Error(`pod: ${r.status} ${message(r)}`);
      const p = r.json<Mutated>();
      const c = p.spec.containers[0];
      return p.metadata.labels?.team === 'platform' && c.imagePullPolicy === 'Always' && c.args?.includes('--verbose') && c.image === 'mirror.example.com/app:1.0' ? p : undefined;
    }, 90000, 1000);
    expect(mutated.spec.containers[0]).toMatchObject({ image: 'mirror.example.com/app:1.0', imagePullPolicy: 'Always', args: ['--verbose'] });
    // The operator manages no mutating routing: Gatekeeper's own configuration is the only one.
    const mwcs = await admin.makeApiClient(AdmissionregistrationV1Api).listMutatingWebhookConfiguration();
    expect(mwcs.items.map((m) => m.metadata?.name)).toEqual(['gatekeeper-mutating-webhook-configuration']);
  }), 150000);
});

describe('using alternative security policy management tools (seed)', () => {
  test('user policies never block our own Pods in d8-system nor objects in kube-system', () => withLogs(async () => {
    const userNs = await namespace('alt-user');
    await policies().create(securityPolicy('alt-deny-everywhere', { allowPrivileged: false, allowHostNetwork: false }, matchNames('*'), { enforcementAction: 'Deny' }));
    await policies().create(operationPolicy('alt-labels-everywhere', { requiredLabels: { labels: [{ key: 'owner' }], watchKinds: ['/Pod', '/ConfigMap'] } }, matchNames('*'), { enforcementAction: 'Deny' }));
    try {
      // In force: a user namespace denies.
      const denied = await eventually('denied in a user namespace', async () => {
        const r = await rawRequest(admin, 'POST', `/api/v1/namespaces/${userNs}/pods?dryRun=All`, pod(userNs, { securityContext: { privileged: true } }));
        return r.status === 403 && message(r).includes('alt-deny-everywhere') && message(r).includes('alt-labels-everywhere') ? r : undefined;
      }, 90000, 500);
      expect(denied.status).toBe(403);
      // The operator's own Pods (d8-system) and kube-system objects are admitted.
      const ours = await rawRequest(admin, 'POST', '/api/v1/namespaces/d8-system/pods?dryRun=All', pod('d8-system', {}, { app: 'admission-policy-engine' }));
      expect([ours.status, message(ours)]).toEqual([201, expect.anything()]);
      const privilegedSystem = await rawRequest(admin, 'POST', '/api/v1/namespaces/kube-system/pods?dryRun=All', pod('kube-system', { securityContext: { privileged: true } }));
      expect([privilegedSystem.status, message(privilegedSystem)]).toEqual([201, expect.anything()]);
      const cm = await rawRequest(admin, 'POST', '/api/v1/namespaces/kube-system/configmaps?dryRun=All', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: uniqueName('cm') } });
      expect(cm.status).toBe(201);
    } finally {
      await policies().delete('SecurityPolicy', 'alt-deny-everywhere');
      await policies().delete('OperationPolicy', 'alt-labels-everywhere');
    }
  }), 150000);
});

describe('the Enforced condition and metric', () => {
  test('true once Gatekeeper enforces every constraint and routing exists; false while Gatekeeper (and so routing) is gone', () => withLogs(async () => {
    await policies().create(securityPolicy('enforced-check', { allowPrivileged: false }, matchNames('default')));
    const on = await eventually('Enforced=True', async () => {
      const c = await enforcedCondition('SecurityPolicy', 'enforced-check');
      return c?.status === 'True' ? c : undefined;
    }, 90000, 500);
    expect(on.reason).toBe('Enforced');
    expect(await metrics()).toMatch(/ape_policy_enforced\{kind="SecurityPolicy",name="enforced-check"\} 1/);
    expect(await metrics()).toMatch(/ape_admission_routing 1/);
    await env.gk.stop();
    try {
      const off = await eventually('Enforced=False without routing', async () => {
        const c = await enforcedCondition('SecurityPolicy', 'enforced-check');
        return c?.status === 'False' ? c : undefined;
      }, 60000, 500);
      expect(off.reason).toBe('NotRouted');
      expect(await routing()).toBeUndefined();
      expect(await metrics()).toMatch(/ape_policy_enforced\{kind="SecurityPolicy",name="enforced-check"\} 0/);
    } finally {
      await env.gk.start();
    }
    const back = await eventually('routing back with the new endpoint', async () => {
      const v = await routing();
      return v?.webhooks?.[0].clientConfig.url === `${env.gk.webhookBase}/v1/admit` ? v : undefined;
    }, 60000, 500);
    expect(back.webhooks).toHaveLength(2);
    await eventually('Enforced=True again', async () => (await enforcedCondition('SecurityPolicy', 'enforced-check'))?.status === 'True', 90000, 500);
    await policies().delete('SecurityPolicy', 'enforced-check');
  }), 240000);
});
