// Gatekeeper's audit through a template served with both engines (D8HostProbesLifecycle carries CEL
// beside its Rego, and Gatekeeper evaluates the CEL): existing objects are judged exactly, a
// compliant Pod is no violation and one whose probe sets a host is, with the check's message. (gator bench -e cel counts a violation for the same
// compliant Pod; the real audit does not, which this pins down.)
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startOperatorEnv, waitConverged, type OperatorEnv } from '../harness/operator-env.js';
import { eventually, rawRequest, uniqueName } from '../helpers/kube.js';
import { catalog } from '../../src/checks/index.js';
import { templateEngines } from '../../src/compile/template.js';

let env: OperatorEnv;
afterAll(async () => {
  await env?.stop();
}, 60000);

type Audited = { metadata: { name: string }; status?: { totalViolations?: number; auditTimestamp?: string; violations?: { name: string; namespace: string; message: string }[] } };

test('audit of existing Pods through a CEL-served PSS constraint reports exactly the violating one, in the check\'s words', async () => {
  expect(templateEngines(catalog.find((c) => c.kind === 'D8HostProbesLifecycle')!)).toEqual(['K8sNativeValidation', 'Rego']);
  env = await startOperatorEnv();
  const op = await env.startOperator();
  await waitConverged(op);
  const admin = env.cp.kubeConfig;
  const ns = uniqueName('audit-cel');
  // Dry run: both Pods are admitted, the audit judges them afterwards.
  expect((await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'security.deckhouse.io/pod-policy-action': 'dryrun' } } })).status).toBe(201);
  const pod = (name: string, host?: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: 'nginx:1', livenessProbe: { httpGet: { path: '/healthz', port: 8080, ...(host ? { host } : {}) } } }] },
  });
  expect((await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, pod('compliant'))).status).toBe(201);
  expect((await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, pod('probe-host', 'example.com'))).status).toBe(201);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const constraint = await eventually('the dryrun constraint audited with both Pods present', async () => {
    const list = await custom.listClusterCustomObject({ group: 'constraints.gatekeeper.sh', version: 'v1beta1', plural: 'd8hostprobeslifecycle' }) as { items: Audited[] };
    const c = list.items.find((i) => i.metadata.name === 'd8-pod-security-baseline-dryrun');
    return c?.status?.violations?.some((v) => v.namespace === ns) ? c : undefined;
  }, 90000, 1000);
  const mine = (constraint.status?.violations ?? []).filter((v) => v.namespace === ns);
  expect(mine).toEqual([expect.objectContaining({ name: 'probe-host', message: 'container "app": livenessProbe.httpGet.host is "example.com"; probes and lifecycle handlers must not set a host' })]);
}, 240000);
