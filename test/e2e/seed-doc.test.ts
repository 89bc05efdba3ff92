// The user documentation is the contract: every example in ../shared/seed/security-policies.md
// must work as written against a real API server and a real Gatekeeper. The YAML examples and the
// `d8 k label ns ...` commands are read from the document at test time (never copied here) and
// applied as the cluster admin, as `kubectl apply --server-side` would; each test then asserts the
// behaviour the document describes, through real admission requests.
//
// Namespaces never finish deleting in this control plane (no controller-manager), so the doc's
// `my-namespace` becomes a fresh namespace per scenario; the label key=value is the doc's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startOperatorEnv, type OperatorEnv, waitConverged } from '../harness/operator-env.js';
import type { Operator } from '../../src/cli/run.js';
import { packageRoot } from '../../src/util/package-root.js';
import { eventually, rawRequest, uniqueName, type RawResponse, ssaApply, GATEKEEPER_DENIED } from '../helpers/kube.js';
import { policyApi } from '../helpers/policies.js';
import type { PolicyKind } from '../../src/api/types.js';

// ---------------------------------------------------------------------------------------------
// The document

const DOC_PATH = join(packageRoot(), '../shared/seed/security-policies.md');

interface CodeBlock { lang: string; text: string }

/** Fenced code blocks, including those indented inside list items (the indent is removed). */
function codeBlocks(markdown: string): CodeBlock[] {
  const out: CodeBlock[] = [];
  for (const m of markdown.matchAll(/^([ \t]*)```(\w*)[ \t]*\n([\s\S]*?)^\1```[ \t]*$/gm)) {
    const indent = m[1].length;
    const text = m[3].split('\n').map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n');
    out.push({ lang: m[2], text });
  }
  return out;
}

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const markdown = readFileSync(DOC_PATH, 'utf8');
const blocks = codeBlocks(markdown);
const docObjects: Obj[] = blocks.filter((b) => b.lang === 'yaml').flatMap((b) =>
  parseAllDocuments(b.text).map((d) => {
    if (d.errors.length > 0) throw new Error(`YAML example in ${DOC_PATH} does not parse: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as Obj;
  })).filter((o) => o?.kind);

/** The document's example object of this kind and name (the test fails if the doc loses it). */
function doc(kind: string, name: string): Obj {
  const found = docObjects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`${DOC_PATH}: expected one ${kind}/${name} example, found ${found.length}`);
  return structuredClone(found[0]);
}

/** `d8 k label ns my-namespace key=value` commands of the document, as [key, value]. */
const docLabelCommands: [string, string][] = blocks.filter((b) => b.lang === 'shell').flatMap((b) =>
  [...b.text.matchAll(/^d8 k label ns my-namespace ([^\s=]+)=(\S+)$/gm)].map((m) => [m[1], m[2]] as [string, string]));

function docLabel(key: string): [string, string] {
  const found = docLabelCommands.filter(([k]) => k === key);
  if (found.length !== 1) throw new Error(`${DOC_PATH}: expected one "d8 k label ns my-namespace ${key}=..." command, found ${found.length}`);
  return found[0];
}

// ---------------------------------------------------------------------------------------------
// The cluster

let env: OperatorEnv;
let op: Operator;
let admin: KubeConfig;

const custom = () => admin.makeApiClient(CustomObjectsApi);

/** `kubectl apply --server-side` as the cluster admin. */
async function apply(obj: KubernetesObject): Promise<void> {
  await ssaApply(KubernetesObjectApi.makeApiClient(admin), obj, 'kubectl');
}

/** Applies, retrying while the kind is not served yet (a constraint right after its template). */
async function applyWhenServed(obj: KubernetesObject): Promise<void> {
  await eventually(`${obj.kind}/${obj.metadata?.name} applied`, async () => {
    await apply(obj);
    return true;
  }, 60000, 500);
}

/** `d8 k label ns <ns> key=value` (overwriting, as --overwrite would). */
async function label(ns: string, labels: Record<string, string | null>): Promise<void> {
  const r = await rawRequest(admin, 'PATCH', `/api/v1/namespaces/${ns}`, { metadata: { labels } }, 'application/merge-patch+json');
  if (r.status !== 200) throw new Error(`label ns ${ns}: ${r.status} ${r.body}`);
}

async function namespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = uniqueName(prefix);
  const r = await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  if (r.status !== 201) throw new Error(`create ns ${name}: ${r.status} ${r.body}`);
  return name;
}

type Container = Record<string, unknown>;
interface PodOpts { name?: string; labels?: Record<string, string>; container?: Container; spec?: Record<string, unknown> }

function pod(ns: string, opts: PodOpts = {}): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: opts.name ?? uniqueName('pod'), namespace: ns, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { containers: [{ name: 'app', image: 'example.com/app:1.0', ...opts.container }], ...opts.spec },
  };
}

async function createPod(ns: string, opts: PodOpts = {}, kc: KubeConfig = admin): Promise<RawResponse> {
  return rawRequest(kc, 'POST', `/api/v1/namespaces/${ns}/pods`, pod(ns, opts));
}

function message(r: RawResponse): string {
  try {
    return r.json<{ message?: string }>().message ?? r.body;
  } catch {
    return r.body;
  }
}

/**
 * Retries creating fresh pods until one is denied (the policy has reached Gatekeeper) with a
 * message containing `expected`, if given: Gatekeeper ingests changed constraints one by one.
 */
/** Retries until a Pod is denied with every `expected` text (a policy's constraints land one at a time). */
async function eventuallyDenied(ns: string, opts: PodOpts, expected?: string | string[], timeoutMs = 60000): Promise<string> {
  let last = '';
  const wanted = expected === undefined ? [] : Array.isArray(expected) ? expected : [expected];
  try {
    const r = await eventually(`pod denied in ${ns}`, async () => {
      const res = await createPod(ns, { ...opts, name: undefined });
      last = `${res.status}: ${message(res)}`;
      return res.status === 403 && wanted.every((w) => message(res).includes(w)) ? res : undefined;
    }, timeoutMs, 500);
    return message(r);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; expected a denial containing ${JSON.stringify(expected)}; last answer ${last}`, { cause: err });
  }
}

/** Retries creating fresh pods until one is admitted with a warning matching `re`. */
async function eventuallyWarned(ns: string, opts: PodOpts, re: RegExp, timeoutMs = 60000): Promise<RawResponse> {
  return eventually(`pod admitted with warning ${String(re)} in ${ns}`, async () => {
    const res = await createPod(ns, { ...opts, name: undefined });
    if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${message(res)}`);
    return res.warnings.some((w) => re.test(w)) ? res : undefined;
  }, timeoutMs, 500);
}

async function expectAdmitted(ns: string, opts: PodOpts = {}): Promise<RawResponse> {
  const r = await createPod(ns, opts);
  if (r.status !== 201) throw new Error(`expected pod admitted in ${ns}, got ${r.status}: ${message(r)}`);
  return r;
}

async function listConstraints(kind: string): Promise<Obj[]> {
  try {
    return ((await custom().listClusterCustomObject({ group: 'constraints.gatekeeper.sh', version: 'v1beta1', plural: kind.toLowerCase() })) as { items: Obj[] }).items;
  } catch {
    return [];
  }
}

/** Gatekeeper reports the constraint enforced by its webhook. */
async function constraintEnforced(kind: string, name: string): Promise<Obj> {
  return eventually(`${kind}/${name} enforced by Gatekeeper`, async () => {
    const c = (await listConstraints(kind)).find((x) => x.metadata?.name === name);
    const byPod = (c?.status as { byPod?: { enforced?: boolean; operations?: string[] }[] } | undefined)?.byPod ?? [];
    return byPod.some((p) => p.enforced && (p.operations ?? []).includes('webhook')) ? c : undefined;
  }, 60000, 500);
}

/** The policy is Ready and Gatekeeper enforces every constraint its status lists. */
async function policyEnforced(kind: PolicyKind, name: string): Promise<Obj> {
  const p = await eventually(`${kind}/${name} Ready`, async () => {
    const got = (await policyApi(custom).get(kind, name)) as Obj;
    const ready = (got.status?.conditions as { type: string; status: string; observedGeneration?: number }[] | undefined)?.find((c) => c.type === 'Ready');
    return ready?.status === 'True' && ready.observedGeneration === got.metadata?.generation ? got : undefined;
  }, 60000, 500);
  for (const c of (p.status?.constraints as { kind: string; name: string }[] | undefined) ?? []) await constraintEnforced(c.kind, c.name);
  return p;
}

async function converged(): Promise<void> {
  await waitConverged(op);
}

/** POST .../exec (or attach) as `kc`: admission runs before the API server looks for a kubelet. */
function exec(kc: KubeConfig, ns: string, podName: string, sub: 'exec' | 'attach' = 'exec'): Promise<RawResponse> {
  const query = sub === 'exec' ? 'command=ls&container=app&stdout=true' : 'container=app&stdout=true';
  return rawRequest(kc, 'POST', `/api/v1/namespaces/${ns}/pods/${podName}/${sub}?${query}`);
}

/** Without a kubelet, a CONNECT that passed admission fails here. */
const NO_KUBELET = 'does not have a host assigned';

async function withLogs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${env.cp.logTails()}\n--- gatekeeper ---\n${env.gk.logTail(40)}`, { cause: err });
  }
}

// Pod shapes.
const privileged: PodOpts = { container: { securityContext: { privileged: true } } };
/** Passes Pod Security Standards restricted (and so baseline). */
const restrictedContainer: Container = {
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
};

beforeAll(async () => {
  env = await startOperatorEnv();
  admin = env.cp.kubeConfig;
  op = await env.startOperator();
  await withLogs(converged);
}, 240000);

afterAll(async () => {
  await env?.stop();
}, 60000);

// ---------------------------------------------------------------------------------------------

describe('the document', () => {
  test('every YAML example and label command is one this file applies', () => {
    // A new example in the doc must get a test here; one removed or renamed fails its test below.
    expect(docObjects.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual([
      'ConstraintTemplate/d8customdenyexec', 'ConstraintTemplate/d8customnodedeleteguard', 'ConstraintTemplate/k8sallowedrepos',
      'D8CustomDenyExec/deny-exec-in-namespaces', 'D8CustomNodeDeleteGuard/require-node-delete-label', 'K8sAllowedRepos/prod-repo',
      'OperationPolicy/common', 'SecurityPolicy/baseline', 'SecurityPolicy/mypolicy', 'SecurityPolicy/restricted',
      'SecurityPolicy/verify-image-signatures',
    ]);
    expect(docLabelCommands.map(([k, v]) => `${k}=${v}`).sort()).toEqual([
      'operation-policy.deckhouse.io/enabled=true', 'security.deckhouse.io/pod-policy-action=warn', 'security.deckhouse.io/pod-policy=restricted',
    ]);
  });
});

describe('Applying Pod Security Standards', () => {
  test('default policy is baseline: an unlabelled namespace denies a privileged Pod and admits a plain one', () => withLogs(async () => {
    const ns = await namespace('default-policy');
    const msg = await eventuallyDenied(ns, privileged);
    expect(msg).toMatch(GATEKEEPER_DENIED);
    expect(msg).toContain('[d8-pod-security-baseline-deny-default] container "app": securityContext.privileged is true');
    await expectAdmitted(ns);
  }), 120000);

  test('assigning a policy per namespace: the doc\'s pod-policy=restricted denies a baseline-compliant Pod; privileged admits a privileged Pod', () => withLogs(async () => {
    const [key, value] = docLabel('security.deckhouse.io/pod-policy');
    expect(value).toBe('restricted');
    const ns = await namespace('restricted');
    await label(ns, { [key]: value });
    const msg = await eventuallyDenied(ns, {});
    expect(msg).toContain('[d8-pod-security-restricted-deny-default] container "app": securityContext.runAsNonRoot is not set in the container or the pod');
    expect(msg).toContain('securityContext.allowPrivilegeEscalation');
    await expectAdmitted(ns, { container: restrictedContainer });

    const priv = await namespace('privileged');
    await label(priv, { [key]: 'privileged' });
    // The namespace starts unlabelled (baseline) and then changes: wait for the change to land.
    await eventually('privileged Pod admitted', async () => (await createPod(priv, privileged)).status === 201, 60000, 500);
    const r = await expectAdmitted(priv, privileged);
    expect(r.warnings).toEqual([]);
  }), 120000);

  test('enforcement modes per namespace: warn admits with the reason, dryrun admits silently, deny denies', () => withLogs(async () => {
    const [key, value] = docLabel('security.deckhouse.io/pod-policy-action');
    expect(value).toBe('warn');
    const warned = await namespace('warn');
    await label(warned, { [key]: value });
    const w = await eventuallyWarned(warned, privileged, /securityContext\.privileged is true/);
    expect(w.warnings).toContainEqual(expect.stringContaining('[d8-pod-security-baseline-warn] container "app": securityContext.privileged is true'));

    const dry = await namespace('dryrun', { [key]: 'dryrun' });
    await constraintEnforced('D8PrivilegedContainer', 'd8-pod-security-baseline-dryrun');
    const d = await expectAdmitted(dry, { ...privileged, name: 'dry-privileged' });
    expect(d.warnings).toEqual([]);
    // dryrun still records the violation: Gatekeeper's audit reports it on the constraint.
    await eventually('dryrun violation audited', async () => {
      const c = (await listConstraints('D8PrivilegedContainer')).find((x) => x.metadata?.name === 'd8-pod-security-baseline-dryrun');
      const v = (c?.status as { violations?: { name: string; namespace: string; enforcementAction: string }[] } | undefined)?.violations ?? [];
      return v.some((x) => x.namespace === dry && x.name === 'dry-privileged' && x.enforcementAction === 'dryrun');
    }, 60000, 1000);

    const denied = await namespace('deny', { [key]: 'deny' });
    const msg = await eventuallyDenied(denied, privileged);
    expect(msg).toContain('securityContext.privileged is true');
  }), 180000);

  test('global defaults via ModuleConfig settings.podSecurityStandards: defaultPolicy and enforcementAction', () => withLogs(async () => {
    const ns = await namespace('global');
    const moduleConfig = (settings: Record<string, unknown>) => ({
      apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleConfig', metadata: { name: 'admission-policy-engine' },
      spec: { version: 1, enabled: true, settings: { podSecurityStandards: settings } },
    });
    try {
      await apply(moduleConfig({ defaultPolicy: 'Restricted' }));
      // Constraints are applied one at a time: wait until the whole restricted set denies.
      const denied = await eventually('the restricted set denies a baseline Pod', async () => {
        const r = await createPod(ns);
        const m = message(r);
        return r.status === 403 && m.includes('securityContext.runAsNonRoot is not set') && m.includes('allowPrivilegeEscalation is not set') ? m : undefined;
      }, 60000, 500);
      expect(denied).toContain('[d8-pod-security-restricted-deny-default] container "app": securityContext.allowPrivilegeEscalation is not set');
      await expectAdmitted(ns, { container: restrictedContainer });

      await apply(moduleConfig({ enforcementAction: 'Warn' }));
      const w = await eventuallyWarned(ns, privileged, /securityContext\.privileged is true/);
      expect(w.warnings).toContainEqual(expect.stringContaining('[d8-pod-security-baseline-warn-default]'));
      // Baseline again (the constraints of the previous settings are being replaced): a plain Pod
      // is admitted without warnings.
      await eventually('plain Pod admitted silently', async () => {
        const r = await createPod(ns);
        return r.status === 201 && r.warnings.length === 0;
      }, 60000, 500);
    } finally {
      // Back to the defaults (baseline, deny) for the other tests, also when an assertion failed.
      await rawRequest(admin, 'DELETE', '/apis/deckhouse.io/v1alpha1/moduleconfigs/admission-policy-engine');
      await converged();
      await eventuallyDenied(ns, privileged, '[d8-pod-security-baseline-deny-default]');
      await eventually('plain Pod admitted silently', async () => {
        const r = await createPod(ns);
        return r.status === 201 && r.warnings.length === 0;
      }, 60000, 500);
    }
  }), 180000);
});

describe('Extending a policy', () => {
  test('the doc\'s K8sAllowedRepos template and prod-repo constraint deny other registries in restricted namespaces', () => withLogs(async () => {
    await apply(doc('ConstraintTemplate', 'k8sallowedrepos'));
    await applyWhenServed(doc('K8sAllowedRepos', 'prod-repo'));
    const ns = await namespace('prod', { 'security.deckhouse.io/pod-policy': 'restricted' });
    const msg = await eventuallyDenied(ns, { container: { image: 'nginx:1.27', ...restrictedContainer } });
    expect(msg).toContain('[prod-repo] container <app> has an invalid image repo <nginx:1.27>, allowed repos are ["mycompany.registry.com"]');
    // Only the repo check fails: the Pod is otherwise restricted-compliant.
    expect(msg).not.toContain('d8-pod-security');
    await expectAdmitted(ns, { container: { image: 'mycompany.registry.com/app:1.0', ...restrictedContainer } });
    // The constraint selects restricted namespaces only.
    const other = await namespace('not-prod');
    await expectAdmitted(other, { container: { image: 'nginx:1.27' } });
  }), 120000);
});

describe('Operational policies', () => {
  test('the recommended OperationPolicy common applies to namespaces labelled as the doc says', () => withLogs(async () => {
    await apply({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'production-high' }, value: 1000 } as KubernetesObject);
    await apply({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'batch-low' }, value: 10 } as KubernetesObject);
    await apply(doc('OperationPolicy', 'common'));
    const policy = await policyEnforced('OperationPolicy', 'common');
    expect((policy.status?.constraints as { kind: string }[]).map((c) => c.kind)).toEqual(expect.arrayContaining(['D8AllowedRepos', 'D8DisallowedTags', 'D8RequiredProbes', 'D8RequiredResources', 'D8ImagePullPolicy', 'D8PriorityClass']));
    const [key, value] = docLabel('operation-policy.deckhouse.io/enabled');
    const ns = await namespace('ops');
    await label(ns, { [key]: value });
    const expectedReasons = [
      '[common] container "app": image "nginx:latest" is not from an allowed repository; allowed repos: ["myrepo.example.com", "registry.deckhouse.io"]',
      '[common] container "app": image "nginx:latest" uses the disallowed tag "latest"',
      '[common] container "app": livenessProbe is not set',
      // One check's findings in one violation when Gatekeeper evaluates its CEL (joined with " | ").
      'container "app": readinessProbe is not set',
      '[common] container "app": resources.limits does not set ["memory"]',
      '[common] container "app": resources.requests does not set ["cpu", "memory"]',
    ];
    const msg = await eventuallyDenied(ns, { container: { image: 'nginx:latest' } }, expectedReasons);
    for (const reason of expectedReasons) expect(msg).toContain(reason);
    const probe = { httpGet: { path: '/healthz', port: 8080 } };
    const compliant: PodOpts = {
      container: {
        image: 'registry.deckhouse.io/app:1.0', imagePullPolicy: 'Always', livenessProbe: probe, readinessProbe: probe,
        resources: { limits: { memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
      },
      spec: { priorityClassName: 'production-high' },
    };
    const ok = await expectAdmitted(ns, compliant);
    expect(ok.warnings).toEqual([]);
    // One violation at a time.
    const one = async (opts: PodOpts, expected: string) => {
      const r = await createPod(ns, opts);
      expect(r.status).toBe(403);
      const m = message(r);
      expect(m).toContain(expected);
      expect(m.split('\n')).toHaveLength(1);
    };
    await one({ ...compliant, container: { ...compliant.container, image: 'docker.io/app:1.0' } }, '[common] container "app": image "docker.io/app:1.0" is not from an allowed repository');
    await one({ ...compliant, container: { ...compliant.container, imagePullPolicy: 'IfNotPresent' } }, '[common] container "app": imagePullPolicy is "IfNotPresent"; only "Always" is allowed');
    await one({ ...compliant, spec: { priorityClassName: 'batch-low' } }, 'spec.priorityClassName is "batch-low"; allowed priority classes: ["production-high", "production-low"]');
    await one({ ...compliant, container: { ...compliant.container, readinessProbe: undefined } }, '[common] container "app": readinessProbe is not set');
    await one({ ...compliant, container: { ...compliant.container, image: 'registry.deckhouse.io/app:latest' } }, '[common] container "app": image "registry.deckhouse.io/app:latest" uses the disallowed tag "latest"');
    // An unlabelled namespace is not affected.
    const other = await namespace('no-ops');
    await expectAdmitted(other, { container: { image: 'nginx:latest' } });
  }), 120000);
});

describe('Security policies', () => {
  test('SecurityPolicy mypolicy applies to namespaces labelled enforce: mypolicy', () => withLogs(async () => {
    const mypolicy = doc('SecurityPolicy', 'mypolicy');
    expect((mypolicy.spec?.match as { namespaceSelector: { labelSelector: { matchLabels: Record<string, string> } } }).namespaceSelector.labelSelector.matchLabels).toEqual({ enforce: 'mypolicy' });
    await apply(mypolicy);
    await policyEnforced('SecurityPolicy', 'mypolicy');
    // pod-policy=privileged keeps the baseline default (which forbids every hostPort) out of the way,
    // so what is seen here is mypolicy alone.
    const ns = await namespace('mypolicy', { enforce: 'mypolicy', 'security.deckhouse.io/pod-policy': 'privileged' });
    const compliantContainer: Container = {
      ports: [{ containerPort: 3000, hostPort: 3000 }],
      securityContext: {
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
        runAsUser: 150, appArmorProfile: { type: 'Unconfined' },
        seccompProfile: { type: 'Localhost', localhostProfile: 'my_profile.json' },
      },
    };
    const compliant: PodOpts = {
      container: compliantContainer,
      spec: { hostIPC: true, hostNetwork: true, securityContext: { fsGroup: 150, supplementalGroups: [130] } },
    };
    const outOfRange: PodOpts = { ...compliant, container: { ...compliantContainer, ports: [{ containerPort: 5000, hostPort: 5000 }] } };
    const msg = await eventuallyDenied(ns, outOfRange);
    expect(msg).toContain('[mypolicy] container "app": ports[0].hostPort is 5000');
    expect(msg).toContain('2000-4000');
    await expectAdmitted(ns, compliant);

    const priv = await createPod(ns, { ...compliant, container: { ...compliantContainer, securityContext: { ...(compliantContainer.securityContext as object), privileged: true, allowPrivilegeEscalation: true } } });
    expect(priv.status).toBe(403);
    expect(message(priv)).toContain('[mypolicy] container "app": securityContext.privileged is true');
    const hostPid = await createPod(ns, { ...compliant, spec: { ...compliant.spec, hostPID: true } });
    expect(hostPid.status).toBe(403);
    expect(message(hostPid)).toMatch(/\[mypolicy\].*hostPID/);
    const user = await createPod(ns, { ...compliant, container: { ...compliantContainer, securityContext: { ...(compliantContainer.securityContext as object), runAsUser: 1000 } } });
    expect(user.status).toBe(403);
    expect(message(user)).toContain('runAsUser is 1000; allowed ranges: 100-200');
    const rw = await createPod(ns, { ...compliant, container: { ...compliantContainer, securityContext: { ...(compliantContainer.securityContext as object), readOnlyRootFilesystem: false } } });
    expect(rw.status).toBe(403);
    expect(message(rw)).toContain('readOnlyRootFilesystem');
    // A namespace without the selector label is not affected by mypolicy.
    const other = await namespace('no-mypolicy', { 'security.deckhouse.io/pod-policy': 'privileged' });
    await expectAdmitted(other, outOfRange);
  }), 120000);

  test('partial policy enforcement: the doc\'s baseline SecurityPolicy on a privileged namespace', () => withLogs(async () => {
    const sp = doc('SecurityPolicy', 'baseline');
    await apply(sp);
    await policyEnforced('SecurityPolicy', sp.metadata!.name!);
    const selector = (sp.spec?.match as { namespaceSelector: { labelSelector: { matchLabels: Record<string, string> } } }).namespaceSelector.labelSelector.matchLabels;
    const ns = await namespace('partial-baseline', { 'security.deckhouse.io/pod-policy': 'privileged', ...selector });
    const msg = await eventuallyDenied(ns, privileged);
    expect(msg).toContain('[baseline] container "app": securityContext.privileged is true');
    expect(msg).not.toContain('d8-pod-security');
    await expectAdmitted(ns);
    const cap = await createPod(ns, { container: { securityContext: { capabilities: { add: ['NET_ADMIN'] } } } });
    expect(cap.status).toBe(403);
    expect(message(cap)).toContain('[baseline] container "app": securityContext.capabilities.add has NET_ADMIN');
    const hostPath = await createPod(ns, { spec: { volumes: [{ name: 'h', hostPath: { path: '/etc' } }] } });
    expect(hostPath.status).toBe(403);
    expect(message(hostPath)).toContain('[baseline]');
    const hostPort = await createPod(ns, { container: { ports: [{ containerPort: 80, hostPort: 80 }] } });
    expect(hostPort.status).toBe(403);
    expect(message(hostPort)).toContain('[baseline] container "app": ports[0].hostPort is 80');
    // The privileged label alone (without the selector label) admits it.
    const plain = await namespace('partial-none', { 'security.deckhouse.io/pod-policy': 'privileged' });
    await expectAdmitted(plain, privileged);
  }), 120000);

  test('partial policy enforcement: the doc\'s restricted SecurityPolicy on a privileged namespace', () => withLogs(async () => {
    const sp = doc('SecurityPolicy', 'restricted');
    await apply(sp);
    await policyEnforced('SecurityPolicy', sp.metadata!.name!);
    const selector = (sp.spec?.match as { namespaceSelector: { labelSelector: { matchLabels: Record<string, string> } } }).namespaceSelector.labelSelector.matchLabels;
    const ns = await namespace('partial-restricted', { 'security.deckhouse.io/pod-policy': 'privileged', ...selector });
    const nonRootMissing: PodOpts = { container: { securityContext: { ...(restrictedContainer.securityContext as object), runAsNonRoot: undefined } } };
    const msg = await eventuallyDenied(ns, nonRootMissing);
    expect(msg).toContain('[restricted] container "app": securityContext.runAsNonRoot is not set in the container or the pod');
    expect(msg).not.toContain('d8-pod-security');
    await expectAdmitted(ns, { container: restrictedContainer });
    const priv = await createPod(ns, privileged);
    expect(priv.status).toBe(403);
    expect(message(priv)).toContain('[restricted] container "app": securityContext.privileged is true');
    const emptyDir = await expectAdmitted(ns, { container: restrictedContainer, spec: { volumes: [{ name: 'e', emptyDir: {} }] } });
    expect(emptyDir.warnings).toEqual([]);
    const hostPath = await createPod(ns, { container: restrictedContainer, spec: { volumes: [{ name: 'h', hostPath: { path: '/etc' } }] } });
    expect(hostPath.status).toBe(403);
    expect(message(hostPath)).toContain('[restricted]');
  }), 120000);
});

describe('Custom Gatekeeper policy examples', () => {
  test('node delete guard: deleting a Node without the label is allowed with a warning (the constraint is warn)', () => withLogs(async () => {
    await apply(doc('ConstraintTemplate', 'd8customnodedeleteguard'));
    const constraint = doc('D8CustomNodeDeleteGuard', 'require-node-delete-label');
    expect(constraint.spec?.enforcementAction).toBe('warn');
    await applyWhenServed(constraint);
    await constraintEnforced('D8CustomNodeDeleteGuard', 'require-node-delete-label');
    const params = constraint.spec?.parameters as { requiredLabelKey: string; requiredLabelValue: string };
    const node = async (labels: Record<string, string>) => {
      const name = uniqueName('node');
      const r = await rawRequest(admin, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
      if (r.status !== 201) throw new Error(`create node: ${r.status} ${r.body}`);
      return name;
    };
    const expected = `[require-node-delete-label] Node deletion is blocked. Add label "${params.requiredLabelKey}"="${params.requiredLabelValue}" to proceed.`;
    // DELETE reaches Gatekeeper only through the operator's routing (a stock Gatekeeper routes
    // CREATE/UPDATE only), which follows the new constraint within a reconcile: retry fresh nodes.
    let unlabelled = '';
    const del = await eventually('node DELETE routed to Gatekeeper', async () => {
      unlabelled = await node({});
      const r = await rawRequest(admin, 'DELETE', `/api/v1/nodes/${unlabelled}`);
      if (r.status !== 200) throw new Error(`delete node: ${r.status} ${r.body}`);
      return r.warnings.includes(expected) ? r : undefined;
    }, 60000, 500);
    expect(del.warnings).toContain(expected);
    expect((await rawRequest(admin, 'GET', `/api/v1/nodes/${unlabelled}`)).status).toBe(404);

    const labelled = await node({ [params.requiredLabelKey]: params.requiredLabelValue });
    const ok = await rawRequest(admin, 'DELETE', `/api/v1/nodes/${labelled}`);
    expect(ok.status).toBe(200);
    expect(ok.warnings).toEqual([]);
  }), 120000);

  test('deny exec: CONNECT pods/exec in a forbidden namespace is denied, elsewhere it is not', () => withLogs(async () => {
    await apply(doc('ConstraintTemplate', 'd8customdenyexec'));
    const constraint = doc('D8CustomDenyExec', 'deny-exec-in-namespaces');
    await applyWhenServed(constraint);
    const forbidden = (constraint.spec?.parameters as { forbiddenNamespaces: string[] }).forbiddenNamespaces;
    expect(forbidden).toContain('production');
    // The doc's namespace itself: this env is one cluster for the file, so the name is free.
    await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } });
    await expectAdmitted('production', { name: 'web' });
    const allowedNs = await namespace('exec-ok');
    await expectAdmitted(allowedNs, { name: 'web' });
    await constraintEnforced('D8CustomDenyExec', 'deny-exec-in-namespaces');
    const denied = await eventually('exec denied in production', async () => {
      const r = await exec(admin, 'production', 'web');
      return r.status === 403 ? r : undefined;
    }, 60000, 500);
    expect(message(denied)).toContain('[deny-exec-in-namespaces] Exec/attach is forbidden in namespace "production"');
    const attach = await exec(admin, 'production', 'web', 'attach');
    expect(attach.status).toBe(403);
    expect(message(attach)).toContain('[deny-exec-in-namespaces] Exec/attach is forbidden in namespace "production"');
    // Allowed by the policy: admission passes and the request fails later, for want of a kubelet.
    const allowed = await exec(admin, allowedNs, 'web');
    expect(allowed.status).not.toBe(403);
    expect(message(allowed)).not.toContain('Exec/attach is forbidden');
    expect(message(allowed)).toContain(NO_KUBELET);
  }), 120000);

  test('built-in D8DenyExecHeritage: exec into a heritage: deckhouse Pod in d8-* is denied for the admin, allowed for a d8-* service account', () => withLogs(async () => {
    // The doc says "all Pods with the heritage: deckhouse label": every namespace (asserted for a
    // user namespace at the end), not only d8-*/kube-* as in the Deckhouse module.
    const ns = await namespace('d8-exec');
    await expectAdmitted(ns, { name: 'system-pod', labels: { heritage: 'deckhouse' } });
    await expectAdmitted(ns, { name: 'user-pod' });
    // The doc's exempt users: system:sudouser and service accounts of d8-* and kube-* namespaces.
    const exempt = ['system:sudouser', `system:serviceaccount:${ns}:operator`, 'system:serviceaccount:kube-system:operator'];
    await apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'exec', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/attach'], verbs: ['get', 'create'] }] } as KubernetesObject);
    await apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'exec', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'exec' }, subjects: [...exempt, 'system:serviceaccount:default:app'].map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })) } as KubernetesObject);
    // The policy reads the Pod from Gatekeeper's inventory (Pods synced by the operator's Config):
    // retry until it is there.
    const denied = await eventually('exec denied for admin', async () => {
      const r = await exec(admin, ns, 'system-pod');
      return r.status === 403 ? r : undefined;
    }, 60000, 500);
    expect(message(denied)).toContain(`[deny-exec-heritage-pods] Exec/attach to Pod "system-pod" in namespace "${ns}" with label 'heritage: deckhouse' is forbidden for user "admin"`);
    const attach = await exec(admin, ns, 'system-pod', 'attach');
    expect(attach.status).toBe(403);
    expect(message(attach)).toContain('[deny-exec-heritage-pods]');
    // A service account outside d8-*/kube-* is not exempt.
    const other = await exec(env.cp.kubeConfigFor('system:serviceaccount:default:app'), ns, 'system-pod');
    expect(other.status).toBe(403);
    expect(message(other)).toContain('forbidden for user "system:serviceaccount:default:app"');
    for (const user of exempt) {
      const kc = env.cp.kubeConfigFor(user);
      for (const sub of ['exec', 'attach'] as const) {
        const r = await exec(kc, ns, 'system-pod', sub);
        expect({ user, sub, status: r.status }).not.toEqual({ user, sub, status: 403 });
        expect(message(r)).toContain(NO_KUBELET);
      }
    }
    // Pods without the label are not protected.
    const plain = await exec(admin, ns, 'user-pod');
    expect(plain.status).not.toBe(403);
    expect(message(plain)).toContain(NO_KUBELET);
    // A heritage Pod outside the system namespaces is protected too.
    const userNs = await namespace('team-exec');
    await expectAdmitted(userNs, { name: 'labelled', labels: { heritage: 'deckhouse' } });
    const outside = await eventually('exec denied outside d8-*', async () => {
      const r = await exec(admin, userNs, 'labelled');
      return r.status === 403 ? r : undefined;
    }, 60000, 500);
    expect(message(outside)).toContain(`Exec/attach to Pod "labelled" in namespace "${userNs}"`);
  }), 120000);
});

describe('Image signature verification', () => {
  // The doc's policy is enforced: D8VerifyImageSignatures (beside the secure defaults of any
  // SecurityPolicy) for user namespaces and the system-namespace variants, with the references as
  // anchored patterns and the revision of the verifier configuration in the parameters. This test
  // bed runs no verifier (test/e2e/verify-image-signatures.test.ts does, with real signatures), so
  // an image the references cover is denied (fail closed) with the doc's message, and an image they
  // do not cover is admitted.
  test('the doc\'s verify-image-signatures SecurityPolicy is enforced', () => withLogs(async () => {
    await apply(doc('SecurityPolicy', 'verify-image-signatures'));
    const p = await policyEnforced('SecurityPolicy', 'verify-image-signatures');
    expect((p.spec?.policies as { verifyImageSignatures: { reference: string }[] }).verifyImageSignatures.map((v) => v.reference)).toEqual(['docker.io/myrepo/*', 'company.registry.com/*']);
    const constraints = p.status?.constraints as { kind: string; name: string }[];
    expect(new Set(constraints.map((c) => c.kind))).toEqual(new Set(['D8AllowPrivilegeEscalation', 'D8PrivilegedContainer', 'D8VerifyImageSignatures']));
    expect(new Set(constraints.map((c) => c.name))).toEqual(new Set(['verify-image-signatures', 'd8-system-warn-verify-image-signatures', 'd8-system-enforce-verify-image-signatures']));
    const own = (await listConstraints('D8VerifyImageSignatures')).find((c) => c.metadata?.name === 'verify-image-signatures');
    expect(own?.spec?.parameters).toEqual({
      policy: 'verify-image-signatures', revision: expect.stringMatching(/^[0-9a-f]{16}$/) as string, provider: 'ape-image-verifier',
      references: ['^docker\\.io/myrepo/.*$', '^company\\.registry\\.com/.*$'],
    });
    const safe = { securityContext: { allowPrivilegeEscalation: false } };
    await eventuallyDenied('default', { container: { image: 'myrepo/app:1.0', ...safe } }, '[verify-image-signatures] Image signature verification failed: myrepo/app:1.0');
    await expectAdmitted('default', { container: { image: 'nginx:1.17.2', ...safe } });
    await policyApi(custom).delete('SecurityPolicy', 'verify-image-signatures');
  }), 120000);
});
