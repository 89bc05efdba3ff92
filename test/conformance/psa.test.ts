// PSS conformance on the real evaluator: render the PSS defaults at each level, then run gator
// over the upstream Pod Security Admission v1.37 fixtures (test/conformance/psa, loaded and mapped
// to our checks by ./psa-fixtures.ts), as Pods and wrapped in every workload kind we match. Every
// `pass` fixture must be admitted and every `fail` fixture rejected, and a rejection must come from
// a check the fixture exercises. The bar is 100% agreement. Each engine is proven on its own: the
// templates rendered Rego-only, then CEL-only (checks without CEL stay Rego), and the two must find
// the same, word for word, per object and constraint (a CEL violation joins its findings with " | ").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { catalog } from '../../src/checks/index.js';
import { compile } from '../../src/compile/index.js';
import { renderTemplate } from '../../src/compile/template.js';
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

/** What each engine said, per reviewed object and constraint: the findings, one per message. */
type Findings = Map<string, string[]>;

/**
 * The findings of one violation: a CEL violation joins its findings with " | " (one per object),
 * Rego reports each as its own violation.
 */
const findingsOf = (msg: string): string[] => msg.split(' | ');

function evaluate(level: Exclude<Standard, 'privileged'>, engine: 'Rego' | 'CEL', findings: Findings = new Map()): Row[] {
  const dir = mkdtempSync(join(tmpdir(), `ape-psa-${level}-`));
  try {
    const settings = { ...defaultCompileSettings(), defaultPolicy: level, enforcementAction: 'deny' as const };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'kubernetes.io/metadata.name': NAMESPACE } } };
    const desired = compile({ settings, policies: [], namespaces: [{ name: NAMESPACE, labels: namespace.metadata.labels }] }, assets());
    // Only templates and constraints: the Config object is cluster wiring, not something to review.
    // Each engine on its own: every template re-rendered Rego-only, or CEL-only where it has CEL.
    // Only the templates the PSS constraints use.
    const a = assets();
    const used = new Set(desired.objects.filter((o) => o.apiVersion.startsWith('constraints.')).map((o) => o.kind.toLowerCase()));
    const policyObjects = desired.objects.filter((o) => o.kind !== 'Config' && (o.kind !== 'ConstraintTemplate' || used.has(o.metadata.name))).map((o) => {
      const check = o.kind === 'ConstraintTemplate' ? catalog.find((c) => c.kind.toLowerCase() === o.metadata.name) : undefined;
      return check ? renderTemplate(check, a.rego, { cel: a.cel, engines: engine }) : o;
    });
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
      const at = `${key} ${res.constraint.kind}/${res.constraint.metadata.name}`;
      findings.set(at, [...(findings.get(at) ?? []), ...findingsOf(res.msg)].sort());
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
      return { level: `${level} ${engine}`, kind, verdict: fixture.verdict, stem: fixture.stem, agreed, detail };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows: Row[]): string {
  const lines = ['level           kind                    pass agreed   fail agreed'];
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(`${r.level}\t${r.kind}`, [...(groups.get(`${r.level}\t${r.kind}`) ?? []), r]);
  for (const [key, rs] of groups) {
    const [level, kind] = key.split('\t') as [string, string];
    const pass = rs.filter((r) => r.verdict === 'pass');
    const fail = rs.filter((r) => r.verdict === 'fail');
    lines.push(`${level.padEnd(15)} ${kind.padEnd(23)} ${`${pass.filter((r) => r.agreed).length}/${pass.length}`.padEnd(11)} ${fail.filter((r) => r.agreed).length}/${fail.length}`);
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

  const said: Record<string, Findings> = {};
  for (const level of ['baseline', 'restricted'] as const) {
    for (const engine of ['Rego', 'CEL'] as const) {
      test(`${level}, ${engine} only: every pass fixture admitted, every fail fixture rejected by its check, in every workload kind`, () => {
        const findings: Findings = new Map();
        const rows = evaluate(level, engine, findings);
        said[`${level} ${engine}`] = findings;
        all.push(...rows);
        expect(rows.length).toBe(loadFixtures(level).length * Object.keys(WRAPPERS).length);
        const disagreements = rows.filter((r) => !r.agreed).map((r) => `${r.verdict}/${r.stem} as ${r.kind}: ${r.detail}`);
        expect(disagreements).toEqual([]);
      }, 300000);
    }
    test(`${level}: Rego and CEL find the same, word for word, on every fixture in every workload kind`, () => {
      const rego = said[`${level} Rego`];
      const cel = said[`${level} CEL`];
      // Both engine runs above must have run (a filtered run proves nothing).
      expect(rego).toBeDefined();
      expect(cel).toBeDefined();
      const keys = [...new Set([...rego.keys(), ...cel.keys()])].sort();
      const mismatches = keys.filter((k) => JSON.stringify(rego.get(k) ?? []) !== JSON.stringify(cel.get(k) ?? []))
        .map((k) => `${k}\n  Rego: ${JSON.stringify(rego.get(k) ?? [])}\n  CEL:  ${JSON.stringify(cel.get(k) ?? [])}`);
      expect(mismatches).toEqual([]);
      expect(keys.length).toBeGreaterThan(0);
    });
  }
});
