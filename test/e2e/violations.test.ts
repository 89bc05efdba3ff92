// Audit results end to end: a Dryrun SecurityPolicy admits a privileged Pod; Gatekeeper's audit
// (every 10 s in the test bed) finds it; the operator (shipped RBAC) reports it in the policy's
// status.violations, in its metrics, and `report` prints it from the cluster; Gatekeeper's own
// Events (audit and dry-run admission) are in the Pod's namespace. Removing the Pod
// clears it. An unchanged audit result writes nothing (the audit log counts the status writes).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';
import { CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startOperatorEnv, waitConverged, OPERATOR_USER, type OperatorEnv } from '../harness/operator-env.js';
import type { Operator } from '../../src/cli/run.js';
import type { ViolationsStatus } from '../../src/api/types.js';
import { eventually, rawRequest, ssaApply, uniqueName } from '../helpers/kube.js';
import { matchNames, policyApi, securityPolicy } from '../helpers/policies.js';
import { builtCli } from '../helpers/cli.js';

let env: OperatorEnv;
let op: Operator;
let admin: KubeConfig;
const policies = policyApi(() => admin.makeApiClient(CustomObjectsApi));

beforeAll(async () => {
  env = await startOperatorEnv();
  admin = env.cp.kubeConfig;
  op = await env.startOperator();
  await waitConverged(op);
}, 240000);

afterAll(async () => {
  await env?.stop();
}, 60000);

async function withLogs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${env.cp.logTails()}\n--- gatekeeper ---\n${env.gk.logTail(40)}`, { cause: err });
  }
}

const violationsOf = async (name: string) => (await policies.get('SecurityPolicy', name)).status?.violations as ViolationsStatus | undefined;

async function metricsText(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${op.port}/metrics`);
  return res.text();
}

test('a privileged Pod admitted by a Dryrun policy shows in its status, metrics and report, and clears when removed', () => withLogs(async () => {
  // PSS off in this namespace: only the policy under test judges the Pod.
  const ns = uniqueName('audit');
  const created = await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'security.deckhouse.io/pod-policy': 'privileged' } } });
  expect(created.status).toBe(201);
  const name = uniqueName('audited');
  await policies.create(securityPolicy(name, { allowPrivileged: false, allowPrivilegeEscalation: true }, matchNames(ns), { enforcementAction: 'Dryrun' }));
  await eventually(`${name} Ready`, async () => {
    const p = await policies.get('SecurityPolicy', name);
    return (p.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True');
  }, 60000, 500);

  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged-app', namespace: ns },
    spec: { containers: [{ name: 'app', image: 'example.com/app:1.0', securityContext: { privileged: true } }] },
  };
  const admitted = await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, pod);
  expect(admitted.status).toBe(201);

  // Audit runs every 10 s; the constraint may be audited before the Pod exists: wait for it.
  const found = await eventually('the audit result in the policy status', async () => {
    const v = await violationsOf(name);
    return v && v.total >= 1 ? v : undefined;
  }, 90000, 1000);
  if (found.total !== 1) throw new Error(JSON.stringify(found));
  expect(found).toMatchObject({ total: 1, dryrun: 1 });
  expect(found.deny).toBeUndefined();
  expect(found.sample).toEqual([{ kind: 'Pod', namespace: ns, name: 'privileged-app', message: expect.stringContaining('privileged') as unknown, constraint: `D8PrivilegedContainer/${name}` }]);

  // `kubectl get events -n <ns>`: Gatekeeper's own events (the flags README documents) name the Pod,
  // for the dry-run admission and for the audit.
  type Event = { reason: string; involvedObject: { name?: string; kind?: string }; message: string };
  let seen: Event[] = [];
  const reasons = await eventually('Gatekeeper events on the Pod', async () => {
    seen = (await rawRequest(admin, 'GET', `/api/v1/namespaces/${ns}/events`)).json<{ items: Event[] }>().items;
    const onPod = seen.filter((e) => e.involvedObject.name === 'privileged-app');
    const got = new Set(onPod.map((e) => e.reason));
    return got.has('AuditViolation') ? onPod : undefined;
  }, 60000, 1000).catch((err: unknown) => {
    throw new Error(`${String(err)}; events in ${ns}: ${JSON.stringify(seen.map((e) => [e.reason, e.involvedObject]))}`);
  });
  expect(reasons.find((e) => e.reason === 'AuditViolation')?.message).toContain('privileged');

  // Metrics: the same total by source, check and action.
  expect(await metricsText()).toContain(`ape_violations{source="SecurityPolicy/${name}",check="D8PrivilegedContainer",action="dryrun"} 1`);

  // `report` against the cluster (the admin kubeconfig: reading constraints needs no more).
  const r = spawnSync(process.execPath, [builtCli(), 'report', '--kubeconfig', env.cp.kubeconfigPath, '-o', 'json'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const reported = (JSON.parse(r.stdout) as { sources: { source: string; total: number; sample: { name: string }[] }[] }).sources.find((s) => s.source === `SecurityPolicy/${name}`);
  expect(reported).toMatchObject({ total: 1, sample: [{ name: 'privileged-app' }] });

  // Quiet at rest: further audit runs with the same result write no status (two more runs).
  const statusWrites = () => env.cp.auditWrites(OPERATOR_USER).filter((e) => e.objectRef?.resource === 'securitypolicies' && e.objectRef.name === name && e.objectRef.subresource === 'status').length;
  const before = statusWrites();
  const since = found.lastChangeTime;
  await new Promise((resolve) => setTimeout(resolve, 25000));
  expect(statusWrites()).toBe(before);
  expect((await violationsOf(name))?.lastChangeTime).toBe(since);

  // Fixed: the Pod is gone, the next audit clears the figures.
  const deleted = await rawRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}/pods/privileged-app?gracePeriodSeconds=0`);
  expect([200, 202]).toContain(deleted.status);
  const cleared = await eventually('the violation cleared', async () => {
    const v = await violationsOf(name);
    return v && v.total === 0 ? v : undefined;
  }, 90000, 1000);
  expect(cleared.sample).toEqual([]);

  // Dry-run admission events: the constraint is long in the webhook's cache by now (audited), so a
  // new privileged Pod is judged at admission and admitted with a DryrunViolation event.
  const late = await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, { ...pod, metadata: { name: 'late-app', namespace: ns } });
  expect(late.status).toBe(201);
  await eventually('a DryrunViolation event on the new Pod', async () => {
    seen = (await rawRequest(admin, 'GET', `/api/v1/namespaces/${ns}/events`)).json<{ items: Event[] }>().items;
    return seen.some((e) => e.reason === 'DryrunViolation' && e.involvedObject.name === 'late-app');
  }, 30000, 1000);
}), 300000);

// ---------------------------------------------------------------------------------------------
// openreports.io Reports behind the policyReports setting

test('policyReports: a Report in the violating Pod\'s namespace, written once, removed when the setting is off', () => withLogs(async () => {
  const api = KubernetesObjectApi.makeApiClient(admin);
  const crds = parseAllDocuments(readFileSync(join(packageRoot(), 'test/harness/openreports-crds.yaml'), 'utf8')).map((d) => d.toJS() as KubernetesObject);
  for (const crd of crds) await ssaApply(api, crd, 'ape-test-bed');
  await eventually('openreports.io served', async () => (await rawRequest(admin, 'GET', '/apis/openreports.io/v1alpha1/reports')).status === 200, 30000, 500);

  const ns = uniqueName('reports');
  expect((await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'security.deckhouse.io/pod-policy': 'privileged' } } })).status).toBe(201);
  const name = uniqueName('reported');
  await policies.create(securityPolicy(name, { allowPrivileged: false, allowPrivilegeEscalation: true }, matchNames(ns), { enforcementAction: 'Dryrun' }));
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged-app', namespace: ns }, spec: { containers: [{ name: 'app', image: 'example.com/app:1.0', securityContext: { privileged: true } }] } };
  expect((await rawRequest(admin, 'POST', `/api/v1/namespaces/${ns}/pods`, pod)).status).toBe(201);
  await eventually('audited', async () => ((await violationsOf(name))?.total ?? 0) >= 1, 90000, 1000);

  const moduleConfig = (enabled: boolean) => ({
    apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleConfig', metadata: { name: 'admission-policy-engine' },
    spec: { version: 1, enabled: true, settings: { policyReports: { enabled, maxResultsPerReport: 50 } } },
  });
  await ssaApply(api, moduleConfig(true) as KubernetesObject, 'ape-test-bed');
  type Report = { summary: { fail: number }; results: { policy: string; rule: string; result: string; resources: { kind: string; name: string; namespace: string }[] }[]; metadata: { resourceVersion: string } };
  const report = await eventually('a Report in the namespace', async () => {
    const r = await rawRequest(admin, 'GET', `/apis/openreports.io/v1alpha1/namespaces/${ns}/reports/admission-policy-engine`);
    return r.status === 200 ? r.json<Report>() : undefined;
  }, 60000, 1000);
  expect(report.summary.fail).toBe(1);
  expect(report.results).toEqual([expect.objectContaining({
    policy: `SecurityPolicy/${name}`, rule: 'D8PrivilegedContainer', result: 'fail', resources: [{ kind: 'Pod', name: 'privileged-app', namespace: ns }],
  }) as unknown]);

  // Quiet at rest: further audits with the same result do not rewrite it.
  await new Promise((resolve) => setTimeout(resolve, 22000));
  const again = (await rawRequest(admin, 'GET', `/apis/openreports.io/v1alpha1/namespaces/${ns}/reports/admission-policy-engine`)).json<Report>();
  expect(again.metadata.resourceVersion).toBe(report.metadata.resourceVersion);

  await ssaApply(api, moduleConfig(false) as KubernetesObject, 'ape-test-bed');
  await eventually('the Report removed', async () => (await rawRequest(admin, 'GET', `/apis/openreports.io/v1alpha1/namespaces/${ns}/reports/admission-policy-engine`)).status === 404, 60000, 1000);
}), 300000);

// ---------------------------------------------------------------------------------------------
// The shipped monitoring (manifests/monitoring) queries only metrics that exist.

const PROMQL_WORDS = new Set(['by', 'without', 'or', 'and', 'unless', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords or labels. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(after) || PROMQL_WORDS.has(m[0])) continue;
    names.push(m[0]);
  }
  return names;
}

/** Metric names a Prometheus text exposition holds (samples and TYPE lines). */
function exposed(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+)/.exec(line);
    if (type) out.add(type[1]);
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]/.exec(line);
    if (sample) out.add(sample[1]);
  }
  return out;
}

test('metricNames reads PromQL as the dashboard writes it', () => {
  expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(ape_reconcile_duration_seconds_bucket[5m])))')).toEqual(['ape_reconcile_duration_seconds_bucket']);
  expect(metricNames('sum by (source) (ape_violations{action="deny"}) > 0')).toEqual(['ape_violations']);
  expect(metricNames('max(ape_is_leader) < 1 or absent(ape_is_leader)')).toEqual(['ape_is_leader', 'ape_is_leader']);
  expect(metricNames('time() - max(gatekeeper_audit_last_run_time) > 900')).toEqual(['gatekeeper_audit_last_run_time']);
});

test('every metric the alert rules and the Grafana dashboard query is exported by the operator or Gatekeeper', () => withLogs(async () => {
  const dir = join(packageRoot(), 'manifests/monitoring');
  const rules = parse(readFileSync(join(dir, 'prometheus-rules.yaml'), 'utf8')) as { spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
  const dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const queries = [
    ...rules.spec.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ];
  expect(queries.length).toBeGreaterThanOrEqual(15);
  // Gatekeeper exports a vector only once it has a sample: one admission request and one audit run.
  await rawRequest(admin, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' } });
  let gatekeeperNames: string[] = [];
  const names = await eventually('metrics of the operator and Gatekeeper', async () => {
    const gatekeeper = exposed(await (await fetch(env.gk.metricsUrl)).text());
    gatekeeperNames = [...gatekeeper].filter((n) => n.startsWith('gatekeeper_'));
    const all = new Set([...exposed(await metricsText()), ...gatekeeper]);
    return all.has('gatekeeper_audit_last_run_time') && all.has('gatekeeper_validation_request_count_total') ? all : undefined;
  }, 60000, 1000).catch((err: unknown) => {
    throw new Error(`${String(err)}; Gatekeeper exports ${gatekeeperNames.join(', ')}`);
  });
  const missing = queries.flatMap((q) => metricNames(q.expr).filter((n) => !names.has(n)).map((n) => `${q.where}: ${n}`));
  expect(missing).toEqual([]);
  for (const q of queries) expect(metricNames(q.expr).length).toBeGreaterThan(0);
}), 120000);
