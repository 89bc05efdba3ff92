// Groundwork for VAP enforcement (#15): a check's CEL, as compile renders it, served by Gatekeeper as
// a ValidatingAdmissionPolicy (the template's K8sNativeValidation source with generateVAP, a
// constraint scoped to the vap.k8s.io enforcement point) is enforced by the API server itself: the
// violating Pod is denied with the check's own message while Gatekeeper runs and after it stopped.
// The operator does not generate such templates and constraints yet (no setting); this proves the
// CEL is VAP-ready and pins Gatekeeper's mechanics it will rely on (VAP per template, binding per
// constraint after Gatekeeper's wait for the constraint CRD to be cached, status per enforcement point).
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { startGatekeeper, type Gatekeeper } from '../harness/gatekeeper.js';
import { eventually, rawRequest } from '../helpers/kube.js';
import { assets } from '../helpers/assets.js';
import { catalog } from '../../src/checks/index.js';
import { renderTemplate } from '../../src/compile/template.js';

let cp: ControlPlane;
let gk: Gatekeeper | undefined;
afterAll(async () => {
  await gk?.stop().catch(() => undefined);
  await cp?.stop();
}, 60000);

type Code = { engine: string; source: Record<string, unknown> };
const MESSAGE = 'container "app": livenessProbe.httpGet.host is "example.com"; probes and lifecycle handlers must not set a host';

test('D8HostProbesLifecycle\'s CEL as a Gatekeeper-generated ValidatingAdmissionPolicy denies in the API server, with Gatekeeper stopped too', async () => {
  cp = await startControlPlane({});
  gk = await startGatekeeper(cp);
  const admin = cp.kubeConfig;
  const check = catalog.find((c) => c.kind === 'D8HostProbesLifecycle')!;
  const template = renderTemplate(check, assets().rego, { cel: assets().cel, engines: 'All' }) as unknown as { spec: { targets: { code: Code[] }[] } };
  const cel = template.spec.targets[0].code.find((c) => c.engine === 'K8sNativeValidation')!;
  cel.source.generateVAP = true;
  expect((await rawRequest(admin, 'POST', '/apis/templates.gatekeeper.sh/v1/constrainttemplates', template)).status).toBe(201);
  const constraint = {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'D8HostProbesLifecycle', metadata: { name: 'vap-probes' },
    spec: {
      enforcementAction: 'scoped',
      scopedEnforcementActions: [{ action: 'deny', enforcementPoints: [{ name: 'vap.k8s.io' }] }, { action: 'dryrun', enforcementPoints: [{ name: 'audit.gatekeeper.sh' }] }],
      match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] },
    },
  };
  await eventually('constraint accepted (its CRD exists)', async () => {
    const r = await rawRequest(admin, 'POST', '/apis/constraints.gatekeeper.sh/v1beta1/d8hostprobeslifecycle', constraint);
    return r.status === 201 || r.status === 409 ? true : undefined;
  }, 60000, 500);
  // One ValidatingAdmissionPolicy per template, one binding per constraint.
  const policy = await eventually('VAP generated', async () => {
    const r = await rawRequest(admin, 'GET', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/gatekeeper-d8hostprobeslifecycle');
    return r.status === 200 ? r.json<{ spec: { paramKind: { kind: string }; validations: { messageExpression?: string }[] } }>() : undefined;
  }, 60000, 500);
  expect(policy.spec.paramKind.kind).toBe('D8HostProbesLifecycle');
  expect(policy.spec.validations[0].messageExpression).toBe('variables.findings.join(" | ")');
  await eventually('binding generated', async () => {
    const r = await rawRequest(admin, 'GET', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/gatekeeper-d8hostprobeslifecycle-vap-probes');
    return r.status === 200 ? true : undefined;
  }, 120000, 1000);
  await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vap' } });
  const pod = (host?: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'vap' },
    spec: { containers: [{ name: 'app', image: 'nginx:1', livenessProbe: { httpGet: { path: '/', port: 80, ...(host ? { host } : {}) } } }] },
  });
  const deniedByVap = (r: { status: number; body: string }) => r.status === 422 && r.body.includes("ValidatingAdmissionPolicy 'gatekeeper-d8hostprobeslifecycle'") && r.body.includes(MESSAGE.replaceAll('"', '\\"'));
  const first = await eventually('denied by the VAP', async () => {
    const r = await rawRequest(admin, 'POST', '/api/v1/namespaces/vap/pods?dryRun=All', pod('example.com'));
    return deniedByVap(r) ? r : undefined;
  }, 60000, 500);
  expect(first.status).toBe(422);
  expect((await rawRequest(admin, 'POST', '/api/v1/namespaces/vap/pods?dryRun=All', pod())).status).toBe(201);
  // Gatekeeper gone (its own webhook fails open): the API server still enforces the check.
  await gk.stop();
  gk = undefined;
  const without = await rawRequest(admin, 'POST', '/api/v1/namespaces/vap/pods?dryRun=All', pod('example.com'));
  expect(deniedByVap(without)).toBe(true);
  expect((await rawRequest(admin, 'POST', '/api/v1/namespaces/vap/pods?dryRun=All', pod())).status).toBe(201);
}, 300000);
