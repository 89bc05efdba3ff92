// The README's install section, as a user runs it, on the real API server with a stock Gatekeeper:
// real kubectl (built at the API server's version) applies the CRDs server-side and the kustomize
// base; then the operator runs with its ServiceAccount's own token (TokenRequest, not an admin
// certificate), converges, and is refused what it must not do. Also: our Pod passes PSS
// restricted, /metrics authenticates and authorizes, the Argo CD health check reads real statuses,
// and the audit log shows the operator never writes a user object's spec.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startOperator, type Operator } from '../../src/cli/run.js';
import { catalog } from '../../src/checks/index.js';
import { KubeClient } from '../../src/kube/client.js';
import { makeLogger } from '../../src/util/log.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { GATEKEEPER_NAMESPACE, startGatekeeper, type Gatekeeper } from '../harness/gatekeeper.js';
import { waitConverged } from '../harness/operator-env.js';
import { eventually } from '../helpers/kube.js';
import { toolPath } from '../helpers/tools.js';

const root = packageRoot();
const OPERATOR_USER = 'system:serviceaccount:d8-system:admission-policy-engine';

type Obj = { apiVersion?: string; kind?: string; metadata: { name: string; namespace?: string; generation?: number; [k: string]: unknown }; spec?: Record<string, unknown>; status?: { conditions?: { type: string; status: string; reason?: string; observedGeneration?: number }[] } };

let cp: ControlPlane;
let gk: Gatekeeper | undefined;
let op: Operator | undefined;
let tokenKubeconfig: string;

/** Real kubectl against the test API server, as the admin unless `kubeconfig` says otherwise. */
function kubectl(args: string[], o: { kubeconfig?: string; input?: string } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(toolPath('kubectl'), args, {
    cwd: root, input: o.input, encoding: 'utf8', timeout: 120_000,
    env: { PATH: process.env.PATH ?? '', HOME: cp.dir, KUBECONFIG: o.kubeconfig ?? cp.kubeconfigPath },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
function ok(args: string[], o: { kubeconfig?: string; input?: string } = {}): string {
  const r = kubectl(args, o);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.err}`);
  return r.out;
}
const getJson = <T = Obj>(args: string[]) => JSON.parse(ok(['get', ...args, '-o', 'json'])) as T;

function health(objects: unknown[]): { status?: string; message?: string; error?: string }[] {
  const out = execFileSync(toolPath('argo-health'), [join(root, 'manifests/argocd/health.lua')], { input: JSON.stringify(objects), encoding: 'utf8' });
  return JSON.parse(out) as { status?: string; message?: string; error?: string }[];
}

function httpsGet(url: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  cp = await startControlPlane({ auditWrites: true });
  // Gatekeeper first, with the flags a user runs (README "Install": the chart's defaults).
  gk = await startGatekeeper(cp);
}, 240_000);

afterAll(async () => {
  await op?.stop().catch(() => undefined);
  await gk?.stop().catch(() => undefined);
  await cp?.stop();
});

describe('install from the README with real kubectl', () => {
  test('kubectl is the API server\'s version', () => {
    const v = JSON.parse(ok(['version', '-o', 'json'])) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
    expect(v.clientVersion.gitVersion).toBe(v.serverVersion.gitVersion);
  });

  test('kubectl apply --server-side -f crds/, then kubectl apply -k manifests/', () => {
    ok(['apply', '--server-side', '-f', 'crds/']);
    ok(['wait', '--for=condition=Established', '--timeout=60s', '-f', 'crds/']);
    const applied = ok(['apply', '-k', 'manifests/']);
    for (const what of ['deployment.apps/admission-policy-engine', 'clusterrole.rbac.authorization.k8s.io/admission-policy-engine', 'networkpolicy.networking.k8s.io/admission-policy-engine', 'poddisruptionbudget.policy/admission-policy-engine', 'service/admission-policy-engine-metrics', 'deployment.apps/ape-image-verifier', 'service/ape-image-verifier']) {
      expect(applied).toContain(what);
    }
    const deploy = getJson<{ spec: { replicas: number; template: { spec: { topologySpreadConstraints?: unknown[]; containers: { args: string[]; readinessProbe?: unknown; livenessProbe?: unknown; resources?: { limits?: unknown } }[] } } } }>(['deployment', '-n', 'd8-system', 'admission-policy-engine']);
    expect(deploy.spec.replicas).toBe(2);
    expect(deploy.spec.template.spec.topologySpreadConstraints?.length).toBeGreaterThan(0);
    const c = deploy.spec.template.spec.containers[0];
    expect(c.args).toEqual(expect.arrayContaining(['run', `--gatekeeper-namespace=${GATEKEEPER_NAMESPACE}`, '--metrics-addr=0.0.0.0:8443']));
    expect(c.readinessProbe && c.livenessProbe && c.resources?.limits).toBeTruthy();
    // Applying again succeeds (upgrades run the same command).
    ok(['apply', '-k', 'manifests/']);
  });

  test('our Pod passes Pod Security Standard "restricted" (the API server\'s PodSecurity admission)', () => {
    ok(['create', 'namespace', 'pss-restricted']);
    ok(['label', 'namespace', 'pss-restricted', 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/enforce-version=latest']);
    const deploy = getJson<{ spec: { template: { metadata: unknown; spec: Record<string, unknown> } } }>(['deployment', '-n', 'd8-system', 'admission-policy-engine']);
    const pod = (spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'operator', namespace: 'pss-restricted' }, spec });
    const r = kubectl(['create', '--dry-run=server', '-f', '-'], { input: pod(deploy.spec.template.spec) });
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    // The check is live: without the Pod's securityContext the same Pod is refused.
    const weaker = { ...deploy.spec.template.spec, securityContext: {} };
    const refused = kubectl(['create', '--dry-run=server', '-f', '-'], { input: pod(weaker) });
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('violates PodSecurity "restricted:latest"');
    // The image verifier's Pod too (it runs in Gatekeeper's namespace, beside Gatekeeper).
    const verifier = getJson<{ spec: { template: { spec: Record<string, unknown> } } }>(['deployment', '-n', GATEKEEPER_NAMESPACE, 'ape-image-verifier']);
    const v = kubectl(['create', '--dry-run=server', '-f', '-'], { input: pod(verifier.spec.template.spec) });
    expect({ code: v.code, err: v.err }).toEqual({ code: 0, err: '' });
  });

  test('the operator runs with its ServiceAccount\'s token (TokenRequest) and converges', async () => {
    const token = ok(['create', 'token', 'admission-policy-engine', '-n', 'd8-system', '--duration=2h']).trim();
    tokenKubeconfig = join(cp.dir, 'operator-token.kubeconfig');
    writeFileSync(tokenKubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
      clusters: [{ name: 'test', cluster: { server: cp.server, 'certificate-authority-data': readFileSync(cp.pki.caCert).toString('base64') } }],
      users: [{ name: 'sa', user: { token } }],
      contexts: [{ name: 'sa', context: { cluster: 'test', user: 'sa' } }],
    }));
    expect(ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { kubeconfig: tokenKubeconfig })).toBe(OPERATOR_USER);

    // A user's policies, applied as the admin.
    ok(['apply', '-f', '-'], { input: stringify({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'install-sp' }, spec: { match: { namespaceSelector: { labelSelector: { matchLabels: { team: 'a' } } } }, policies: { allowHostNetwork: false, allowPrivileged: false } } }) });
    ok(['apply', '-f', '-'], { input: stringify({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'OperationPolicy', metadata: { name: 'install-op' }, spec: { match: { namespaceSelector: { labelSelector: { matchLabels: { team: 'a' } } } }, policies: { requiredProbes: ['livenessProbe'] } } }) });

    // The Deployment's flags (in process, with the token's client).
    op = await startOperator({
      client: KubeClient.fromKubeconfigFile(tokenKubeconfig), logger: makeLogger(process.env.APE_TEST_LOG_LEVEL ?? 'error'),
      namespace: 'd8-system', gatekeeperNamespace: GATEKEEPER_NAMESPACE, leaseName: 'admission-policy-engine', identity: 'install-1',
      httpHost: '0.0.0.0', httpPort: 0, metricsHost: '0.0.0.0', metricsPort: 0, resyncMs: 60_000, debounceMs: 50,
      imageVerifier: { namespace: GATEKEEPER_NAMESPACE },
      lease: { durationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 0.5 },
    });
    await waitConverged(op, 180_000);
    for (const [kind, name] of [['securitypolicy', 'install-sp'], ['operationpolicy', 'install-op']]) {
      const p = getJson([kind, name]);
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Applied', observedGeneration: p.metadata.generation });
    }
    const lease = getJson<{ spec: { holderIdentity: string } }>(['lease', '-n', 'd8-system', 'admission-policy-engine']);
    expect(lease.spec.holderIdentity).toBe('install-1');
  }, 300_000);

  test('it is refused what it must not do', () => {
    // A template and a constraint that are not ours (a user's), created as the admin.
    ok(['apply', '-f', '-'], {
      input: stringify({
        apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: 'userlabels' },
        spec: { crd: { spec: { names: { kind: 'UserLabels' } } }, targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: 'package userlabels\nviolation[{"msg": "no"}] { false }\n' }] },
      }),
    });
    ok(['wait', '--for=jsonpath={.status.created}=true', '--timeout=60s', 'constrainttemplate/userlabels']);
    ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/userlabels.constraints.gatekeeper.sh']);
    ok(['apply', '-f', '-'], { input: stringify({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'UserLabels', metadata: { name: 'users' }, spec: { enforcementAction: 'dryrun' } }) });
    const as = (args: string[]) => kubectl(args, { kubeconfig: tokenKubeconfig });
    const refusals: [string, string[]][] = [
      ['read Secrets outside its own', ['get', 'secrets', '-n', 'kube-system']],
      ['read Gatekeeper\'s certificate', ['get', 'secret', '-n', GATEKEEPER_NAMESPACE, 'gatekeeper-webhook-server-cert']],
      ['list Secrets in Gatekeeper\'s namespace', ['get', 'secrets', '-n', GATEKEEPER_NAMESPACE]],
      ['patch a user\'s constraint', ['patch', 'userlabels.constraints.gatekeeper.sh', 'users', '--type=merge', '-p', '{"spec":{"enforcementAction":"deny"}}']],
      ['delete a user\'s constraint', ['delete', 'userlabels.constraints.gatekeeper.sh', 'users']],
      ['patch a template it does not own', ['patch', 'constrainttemplate', 'userlabels', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}}}']],
      ['delete a template it does not own', ['delete', 'constrainttemplate', 'userlabels']],
      ['create a template of another name', ['apply', '--server-side', '--field-manager=admission-policy-engine', '-f', '-']],
      ['write a user\'s policy spec', ['patch', 'securitypolicy', 'install-sp', '--type=merge', '-p', '{"spec":{"policies":{"allowPrivileged":true}}}']],
      ['read another ModuleConfig', ['get', 'moduleconfig', 'global']],
      ['touch Gatekeeper\'s webhook configuration', ['delete', 'validatingwebhookconfiguration', 'gatekeeper-validating-webhook-configuration']],
    ];
    const stray = stringify({ apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: 'strayone' }, spec: { crd: { spec: { names: { kind: 'StrayOne' } } }, targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: 'package strayone\nviolation[{"msg": "no"}] { false }\n' }] } });
    for (const [what, args] of refusals) {
      const r = args[0] === 'apply' ? kubectl(args, { kubeconfig: tokenKubeconfig, input: stray }) : as(args);
      expect({ what, code: r.code, forbidden: /forbidden/i.test(r.err) }).toEqual({ what, code: 1, forbidden: true });
    }
    // ... and allowed what it needs, by name: its own template.
    expect(as(['get', 'constrainttemplates', '-o', 'name']).out).toContain('constrainttemplate.templates.gatekeeper.sh/d8privilegedcontainer');
  }, 180_000);

  test('/metrics: HTTPS with TokenReview and SubjectAccessReview', async () => {
    const url = `https://127.0.0.1:${op!.metricsServer!.port}/metrics`;
    expect(op!.metricsServer!.secure).toBe(true);
    expect(await httpsGet(url)).toBe(401);
    expect(await httpsGet(url, 'not-a-token')).toBe(401);
    // The operator's own account may not read it; a scraper bound to the metrics reader may.
    const own = ok(['create', 'token', 'admission-policy-engine', '-n', 'd8-system']).trim();
    expect(await httpsGet(url, own)).toBe(403);
    ok(['create', 'serviceaccount', 'prometheus', '-n', 'd8-system']);
    ok(['create', 'clusterrolebinding', 'prometheus-ape-metrics', '--clusterrole=admission-policy-engine-metrics-reader', '--serviceaccount=d8-system:prometheus']);
    const scraper = ok(['create', 'token', 'prometheus', '-n', 'd8-system']).trim();
    expect(await httpsGet(url, scraper)).toBe(200);
    // Not beside the probes on a non-loopback listener.
    const res = await fetch(`http://127.0.0.1:${op!.port}/metrics`);
    expect(res.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${op!.port}/healthz`)).status).toBe(200);
  }, 60_000);

  test('the Argo CD health check (manifests/argocd/health.lua, gopher-lua) on real statuses', async () => {
    const healthy = [getJson(['securitypolicy', 'install-sp']), getJson(['operationpolicy', 'install-op'])];
    expect(health(healthy).map((h) => h.status)).toEqual(['Healthy', 'Healthy']);
    expect(health(healthy)[0].message).toMatch(/^Applied: \d+ constraint\(s\) in place$/);

    // Invalid (min > max passes the CRD, not the operator's validation): Degraded, with the reason.
    ok(['patch', 'securitypolicy', 'install-sp', '--type=merge', '-p', '{"spec":{"policies":{"allowedHostPorts":[{"min":500,"max":400}]}}}']);
    const invalid = await eventually('Ready=False Invalid', () => {
      const p = getJson(['securitypolicy', 'install-sp']);
      return Promise.resolve(p.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'Invalid') ? p : undefined);
    }, 60_000);
    const [degraded] = health([invalid]);
    expect(degraded.status).toBe('Degraded');
    expect(degraded.message).toContain('Invalid: spec.policies.allowedHostPorts[0]');

    // A change the operator has not seen yet (stopped): Progressing, from a real stale status.
    await op!.stop();
    op = undefined;
    ok(['patch', 'operationpolicy', 'install-op', '--type=merge', '-p', '{"spec":{"policies":{"requiredProbes":["readinessProbe"]}}}']);
    const stale = getJson(['operationpolicy', 'install-op']);
    expect(stale.status?.conditions?.find((c) => c.type === 'Ready')?.observedGeneration).toBeLessThan(stale.metadata.generation!);
    // A new policy with no status at all.
    ok(['apply', '-f', '-'], { input: stringify({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'OperationPolicy', metadata: { name: 'install-new' }, spec: { match: { namespaceSelector: { labelSelector: { matchLabels: { team: 'b' } } } }, policies: { requiredProbes: ['livenessProbe'] } } }) });
    const fresh = getJson(['operationpolicy', 'install-new']);
    expect(fresh.status).toBeUndefined();
    expect(health([stale, fresh]).map((h) => h.status)).toEqual(['Progressing', 'Progressing']);
    // Argo CD's rules: a status outside its six codes is Unknown; a script error is an error.
    expect(health([{}])[0].status).toBe('Progressing');
  });

  test('the audit log: the operator never wrote a user object\'s spec, nor anything not its own', () => {
    // The operator's successful writes. The test's own `kubectl auth whoami` with the token (a
    // SelfSubjectReview) is the only write under that name that is not the operator's.
    const writes = cp.auditWrites(OPERATOR_USER).filter((e) => (e.responseStatus?.code ?? 0) < 300 && e.objectRef?.resource !== 'selfsubjectreviews');
    expect(writes.length).toBeGreaterThan(0);
    const USER_KINDS = new Set(['securitypolicies', 'operationpolicies', 'securitypolicyexceptions', 'moduleconfigs', 'namespaces', 'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers']);
    const userWrites = writes.filter((e) => USER_KINDS.has(e.objectRef?.resource ?? ''));
    expect(userWrites.length).toBeGreaterThan(0);
    // Only status subresources (which the API server keeps apart from spec).
    expect(userWrites.filter((e) => e.objectRef?.subresource !== 'status').map((e) => `${e.verb} ${e.objectRef?.resource}/${e.objectRef?.name}`)).toEqual([]);
    expect(new Set(userWrites.map((e) => e.objectRef?.resource))).toEqual(new Set(['securitypolicies', 'operationpolicies']));
    // Templates: only the catalog's; never the user's template or constraint.
    const names = new Set(catalog.map((c) => c.kind.toLowerCase()));
    for (const e of writes.filter((x) => x.objectRef?.resource === 'constrainttemplates')) expect(names.has(e.objectRef?.name ?? '')).toBe(true);
    expect(writes.filter((e) => e.objectRef?.apiGroup === 'constraints.gatekeeper.sh' && !names.has(e.objectRef.resource ?? ''))).toEqual([]);
    // Everything it wrote, by resource: nothing outside what it generates, its status, events and Lease.
    const resources = new Set(writes.map((e) => `${e.objectRef?.apiGroup ?? ''}/${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`));
    const allowed = new Set(['deckhouse.io/securitypolicies/status', 'deckhouse.io/operationpolicies/status', '/events', 'coordination.k8s.io/leases', 'templates.gatekeeper.sh/constrainttemplates', 'config.gatekeeper.sh/configs', 'admissionregistration.k8s.io/validatingwebhookconfigurations',
      // /metrics authentication and authorization (reviews, not stored objects).
      'authentication.k8s.io/tokenreviews', 'authorization.k8s.io/subjectaccessreviews']);
    for (const r of resources) if (!r.startsWith('constraints.gatekeeper.sh/')) expect({ r, allowed: allowed.has(r) }).toEqual({ r, allowed: true });
  });
});
