// PSS conformance on the real evaluator: render the PSS defaults at each level, then run gator
// over the upstream Pod Security Admission v1.37 fixtures (test/conformance/psa, loaded and mapped
// to our checks by ./psa-fixtures.ts), as Pods and wrapped in every workload kind we match. Every
// `pass` fixture must be admitted and every `fail` fixture rejected, and a rejection must come from
// a check the fixture exercises. The bar is 100% agreement.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { compile } from '../../src/compile/index.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import { CHECK_LABEL } from '../../src/compile/labels.js';
import type { Standard } from '../../src/compile/types.js';
import { assets } from '../helpers/assets.js';
import { toolPath } from '../helpers/tools.js';
import { run } from '../helpers/run.js';
import { checksFor, loadFixtures, PSA_VERSION as VERSION, type Fixture, type Pod } from './psa-fixtures.js';

const NAMESPACE = 'psa-conformance';

const WRAPPERS: Record<string, (pod: Pod, name: string) => Record<string, unknown>> = {
  Pod: (pod, name) => ({ ...pod, metadata: { ...pod.metadata, name, namespace: NAMESPACE } }),
  Deployment: (pod, name) => controller('apps/v1', 'Deployment', pod, name),
  StatefulSet: (pod, name) => controller('apps/v1', 'StatefulSet', pod, name, { serviceName: name }),
  DaemonSet: (pod, name) => controller('apps/v1', 'DaemonSet', pod, name),
  Job: (pod, name) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: NAMESPACE }, spec: { template: template(pod) } }),
  CronJob: (pod, name) => ({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: NAMESPACE },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: template(pod) } } },
  }),
  ReplicationController: (pod, name) => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, namespace: NAMESPACE }, spec: { selector: { app: name }, template: template(pod, { app: name }) } }),
  PodTemplate: (pod, name) => ({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name, namespace: NAMESPACE }, template: template(pod) }),
};

function template(pod: Pod, extraLabels: Record<string, string> = {}): Record<string, unknown> {
  // Labels and annotations (AppArmor lives there) move into the template metadata.
  return { metadata: { labels: { ...pod.metadata.labels, ...extraLabels }, annotations: pod.metadata.annotations }, spec: pod.spec };
}

function controller(apiVersion: string, kind: string, pod: Pod, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion, kind, metadata: { name, namespace: NAMESPACE }, spec: { ...extra, selector: { matchLabels: { app: name } }, template: template(pod, { app: name }) } };
}

interface GatorResult { constraint: { kind: string; metadata: { name: string; labels?: Record<string, string> } }; violatingObject: { kind: string; metadata: { name: string } }; msg: string }

interface Row { level: string; kind: string; verdict: string; stem: string; agreed: boolean; detail: string }

function evaluate(level: Exclude<Standard, 'privileged'>): Row[] {
  const dir = mkdtempSync(join(tmpdir(), `ape-psa-${level}-`));
  try {
    const settings = { ...defaultCompileSettings(), defaultPolicy: level, enforcementAction: 'deny' as const };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'kubernetes.io/metadata.name': NAMESPACE } } };
    const desired = compile({ settings, policies: [], namespaces: [{ name: NAMESPACE, labels: namespace.metadata.labels }] }, assets());
    // Only templates and constraints: the Config object is cluster wiring, not something to review.
    const policyObjects = desired.objects.filter((o) => o.kind !== 'Config');
    writeFileSync(join(dir, 'policies.yaml'), policyObjects.map((o) => stringify(o)).join('---\n'));
    const objects: Record<string, unknown>[] = [namespace];
    const cases: { name: string; kind: string; fixture: Fixture }[] = [];
    for (const fixture of loadFixtures(level)) {
      for (const [kind, wrap] of Object.entries(WRAPPERS)) {
        const name = `${fixture.verdict}-${fixture.stem.replace(/_/g, '-')}-${kind.toLowerCase()}`;
        objects.push(wrap(fixture.pod, name));
        cases.push({ name, kind, fixture });
      }
    }
    writeFileSync(join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    const r = run(toolPath('gator'), ['test', '-f', join(dir, 'policies.yaml'), '-f', join(dir, 'objects.yaml'), '-o', 'json']);
    if (r.stderr.trim() !== '') throw new Error(`gator test (${level}) wrote to stderr:\n${r.stderr}`);
    const results = (JSON.parse(r.stdout) as GatorResult[] | null) ?? [];
    const byObject = new Map<string, GatorResult[]>();
    for (const res of results) {
      const key = `${res.violatingObject.kind}/${res.violatingObject.metadata.name}`;
      byObject.set(key, [...(byObject.get(key) ?? []), res]);
    }
    return cases.map(({ name, kind, fixture }) => {
      const hits = byObject.get(`${kind}/${name}`) ?? [];
      const checks = [...new Set(hits.map((h) => h.constraint.metadata.labels?.[CHECK_LABEL] ?? h.constraint.kind))].sort();
      let agreed: boolean;
      let detail: string;
      if (fixture.verdict === 'pass') {
        agreed = hits.length === 0;
        detail = agreed ? 'admitted' : `rejected by ${checks.join(', ')}: ${hits[0].msg}`;
      } else {
        const want = checksFor(fixture);
        agreed = checks.some((c) => want.includes(c));
        detail = hits.length === 0 ? 'admitted' : `rejected by ${checks.join(', ')} (expected one of ${want.join(', ')})`;
      }
      return { level, kind, verdict: fixture.verdict, stem: fixture.stem, agreed, detail };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows: Row[]): string {
  const lines = ['level       kind                    pass agreed   fail agreed'];
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(`${r.level}\t${r.kind}`, [...(groups.get(`${r.level}\t${r.kind}`) ?? []), r]);
  for (const [key, rs] of groups) {
    const [level, kind] = key.split('\t') as [string, string];
    const pass = rs.filter((r) => r.verdict === 'pass');
    const fail = rs.filter((r) => r.verdict === 'fail');
    lines.push(`${level.padEnd(11)} ${kind.padEnd(23)} ${`${pass.filter((r) => r.agreed).length}/${pass.length}`.padEnd(11)} ${fail.filter((r) => r.agreed).length}/${fail.length}`);
  }
  const agreed = rows.filter((r) => r.agreed).length;
  lines.push(`total agreement: ${agreed}/${rows.length} (${((100 * agreed) / rows.length).toFixed(1)}%)`);
  return lines.join('\n');
}

describe(`PSS conformance against upstream PSA ${VERSION} fixtures (gator ${'v3.23.0'})`, () => {
  const all: Row[] = [];
  afterAll(() => {
    if (all.length > 0) process.stdout.write(`\n${table(all)}\n`);
  });

  for (const level of ['baseline', 'restricted'] as const) {
    test(`${level}: every pass fixture admitted, every fail fixture rejected by its check, in every workload kind`, () => {
      const rows = evaluate(level);
      all.push(...rows);
      expect(rows.length).toBe(loadFixtures(level).length * Object.keys(WRAPPERS).length);
      const disagreements = rows.filter((r) => !r.agreed).map((r) => `${r.verdict}/${r.stem} as ${r.kind}: ${r.detail}`);
      expect(disagreements).toEqual([]);
    }, 300000);
  }
});
