// Proof that the real test bed works end to end: control plane CRUD, CRDs and informers, and
// Gatekeeper admission through its real webhook (deny, admit, warn).
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, makeInformer, type KubernetesObject, type V1Namespace } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { startGatekeeper, type Gatekeeper } from '../harness/gatekeeper.js';
import { catalog } from '../../src/checks/index.js';
import { renderTemplate } from '../../src/compile/template.js';
import { eventually, rawRequest, uniqueName, ssaApply } from '../helpers/kube.js';
import { rego } from '../helpers/assets.js';

let cp: ControlPlane;
let gk: Gatekeeper | undefined;

beforeAll(async () => {
  cp = await startControlPlane();
}, 180000);

afterAll(async () => {
  await gk?.stop();
  await cp?.stop();
}, 60000);

function onFailure(): string {
  return `${cp.logTails()}\n--- gatekeeper ---\n${gk?.logTail(40) ?? '(not started)'}`;
}

describe('control plane', () => {
  test('creates a namespace and reads it back', async () => {
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const name = uniqueName('ns');
    await core.createNamespace({ body: { metadata: { name, labels: { a: 'b' } } } });
    const got = await core.readNamespace({ name });
    expect(got.metadata?.labels).toMatchObject({ a: 'b', 'kubernetes.io/metadata.name': name });
  });

  test('creates a CRD, an object of it, and reads it back', async () => {
    const ext = cp.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: 'widgets.example.test' },
        spec: {
          group: 'example.test',
          scope: 'Cluster',
          names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
        },
      },
    });
    await eventually('CRD established', async () => {
      const crd = await ext.readCustomResourceDefinition({ name: 'widgets.example.test' });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
    const custom = cp.kubeConfig.makeApiClient(CustomObjectsApi);
    await eventually('widget created', () => custom.createClusterCustomObject({
      group: 'example.test', version: 'v1', plural: 'widgets',
      body: { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
    }).then(() => true));
    const w = (await custom.getClusterCustomObject({ group: 'example.test', version: 'v1', plural: 'widgets', name: 'w1' })) as { spec: { size: number } };
    expect(w.spec.size).toBe(3);
  });

  test('an informer sees an update', async () => {
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    const name = uniqueName('watched');
    await core.createNamespace({ body: { metadata: { name } } });
    const informer = makeInformer<V1Namespace>(cp.kubeConfig, '/api/v1/namespaces', () => core.listNamespace());
    const seen: string[] = [];
    informer.on('update', (ns) => {
      if (ns.metadata?.name === name) seen.push(ns.metadata.labels?.stage ?? '');
    });
    informer.on('error', () => undefined);
    await informer.start();
    try {
      expect(informer.get(name)).toBeDefined();
      await core.patchNamespace({ name, body: [{ op: 'add', path: '/metadata/labels/stage', value: 'two' }] });
      await eventually('informer update', () => Promise.resolve(seen.includes('two')), 15000);
    } finally {
      await informer.stop();
    }
  });
});

describe('Gatekeeper through its real webhook', () => {
  const api = () => KubernetesObjectApi.makeApiClient(cp.kubeConfig);
  const check = catalog.find((c) => c.kind === 'D8PrivilegedContainer')!;

  beforeAll(async () => {
    gk = await startGatekeeper(cp);
  }, 240000);

  const pod = (ns: string, name: string, privileged: boolean) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1', securityContext: { privileged } }] },
  });

  test('template is created, constraint enforced, violating pod denied, compliant pod admitted, warn warns', async () => {
    try {
      await ssaApply(api(), renderTemplate(check, rego()) as KubernetesObject, 'ape-test');
      const custom = cp.kubeConfig.makeApiClient(CustomObjectsApi);
      await eventually('template status.created', async () => {
        const t = (await custom.getClusterCustomObject({ group: 'templates.gatekeeper.sh', version: 'v1', plural: 'constrainttemplates', name: 'd8privilegedcontainer' })) as { status?: { created?: boolean } };
        return t.status?.created === true;
      }, 60000);

      const ns = uniqueName('gk');
      const nsWarn = uniqueName('gkwarn');
      const core = cp.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: ns } } });
      await core.createNamespace({ body: { metadata: { name: nsWarn } } });

      const constraint = (name: string, action: string, namespace: string) => ({
        apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'D8PrivilegedContainer', metadata: { name },
        spec: { enforcementAction: action, match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], namespaces: [namespace] } },
      });
      // The constraint kind exists only once Gatekeeper made its CRD: retry until it does.
      await eventually('deny constraint applied', () => ssaApply(api(), constraint('deny-privileged', 'deny', ns) as KubernetesObject, 'ape-test').then(() => true), 60000, 500);
      await eventually('warn constraint applied', () => ssaApply(api(), constraint('warn-privileged', 'warn', nsWarn) as KubernetesObject, 'ape-test').then(() => true), 60000, 500);
      for (const name of ['deny-privileged', 'warn-privileged']) {
        await eventually(`${name} enforced`, async () => {
          const c = (await custom.getClusterCustomObject({ group: 'constraints.gatekeeper.sh', version: 'v1beta1', plural: 'd8privilegedcontainer', name })) as { status?: { byPod?: { enforced?: boolean }[] } };
          return c.status?.byPod?.some((p) => p.enforced === true);
        }, 60000);
      }

      // Denied: the webhook may need a moment after `enforced` before its cache holds the constraint.
      const denied = await eventually('privileged pod denied', async () => {
        const res = await rawRequest(cp.kubeConfig, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(ns, uniqueName('bad'), true));
        return res.status === 403 ? res : undefined;
      }, 30000, 500);
      expect(denied.json<{ message: string }>().message).toContain('[deny-privileged] container "app": securityContext.privileged is true');

      const admitted = await rawRequest(cp.kubeConfig, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(ns, 'good', false));
      expect(admitted.status).toBe(201);
      expect(admitted.warnings).toEqual([]);

      const warned = await eventually('privileged pod warned', async () => {
        const res = await rawRequest(cp.kubeConfig, 'POST', `/api/v1/namespaces/${nsWarn}/pods`, pod(nsWarn, uniqueName('warned'), true));
        if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${res.body}`);
        if (res.warnings.length === 0) {
          // Created before the webhook cached the constraint: clean up and try again.
          return undefined;
        }
        return res;
      }, 30000, 500);
      expect(warned.warnings.join('\n')).toContain('[warn-privileged] container "app": securityContext.privileged is true');
    } catch (err) {
      throw new Error(`${String(err)}\n${onFailure()}`, { cause: err });
    }
  }, 240000);
});
