// gator suites, one per check (test/suites/<rego folder>/suite.yaml). The template each suite
// verifies is rendered from the catalog into a temp copy, so the suite checks what we ship. A check
// with PSS parameters also gets, in that copy, one generated test per level (`psa-<level>`): its
// constraint carries exactly the catalog's parameters, its cases are the upstream PSA fixtures of
// test/conformance/psa (never copied into test/suites). Hand-written cases may test the same
// constraint (`constraint-pss-<level>.yaml`) or a fixture (`psa/<level>-<verdict>-<stem>.yaml`).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { catalog } from '../../src/checks/index.js';
import type { Check } from '../../src/checks/types.js';
import { renderTemplate } from '../../src/compile/template.js';
import { packageRoot } from '../../src/util/package-root.js';
import { cel, rego } from '../helpers/assets.js';
import { toolPath } from '../helpers/tools.js';
import { run } from '../helpers/run.js';
import { baselineControls, checksFor, expectedChecks, loadFixtures, type Fixture, type PsaLevel } from '../conformance/psa-fixtures.js';

const suitesDir = join(packageRoot(), 'test/suites');
const PSS_LEVELS = ['baseline', 'restricted'] as const;

interface SuiteCase {
  name: string;
  object: string;
  assertions?: { violations?: string | number | boolean; message?: string }[];
}
interface SuiteTest { name: string; template: string; constraint: string; cases?: SuiteCase[] }
interface Suite {
  tests: SuiteTest[];
}

const allFixtures = (): Fixture[] => [...loadFixtures('baseline'), ...loadFixtures('restricted')];

/** Where a fixture lands in the temp suite copy; hand-written cases may name it too. */
function fixtureObject(f: Fixture): string {
  return `psa/${f.level}-${f.verdict}-${f.stem}.yaml`;
}

/** The constraint file of a check's PSS level in the temp suite copy. */
const pssConstraintFile = (level: PsaLevel): string => `constraint-pss-${level}.yaml`;

/**
 * The constraint compile emits for a check at a PSS level, minus the namespace wiring: the
 * catalog's parameters (no known host port ranges) and the kinds it matches with controller
 * validation on (the default).
 */
function pssConstraint(check: Check, level: PsaLevel): Record<string, unknown> {
  const params = check.pss?.[level];
  if (!params) throw new Error(`${check.kind} has no pss.${level}`);
  return {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: check.kind,
    metadata: { name: `pss-${level}` },
    spec: { match: { kinds: check.matches }, parameters: params({ knownHostPortRanges: [] }) },
  };
}

/**
 * Does a namespace of the fixture's level get this constraint level for the fixture's control?
 * A baseline folder fixture meets baseline constraints only. A restricted namespace gets both
 * levels of a check: its restricted constraint answers for every restricted fixture (where a check
 * has both, restricted is the stricter), its baseline constraint for those of baseline controls.
 */
function meets(f: Fixture, level: PsaLevel, baseline: ReadonlySet<string>): boolean {
  if (f.level === 'baseline') return level === 'baseline';
  return level === 'restricted' || baseline.has(f.control);
}

/**
 * The generated PSS cases of a check at one level, with explicit assertions:
 *  - every `pass` fixture a namespace of that level may see is admitted (at baseline, the
 *    restricted ones too: a restricted namespace gets the baseline constraints);
 *  - every `fail` fixture this check answers for (psa-fixtures.ts) is rejected;
 *  - a `fail` fixture of a control this check shares with another one, but that is the other's
 *    (host namespaces: hostNetwork vs hostPID/hostIPC), is admitted: the split is exact.
 */
function psaCases(check: Check, level: PsaLevel): SuiteCase[] {
  const baseline = baselineControls();
  const cases: SuiteCase[] = [];
  for (const f of allFixtures()) {
    let violations: 'yes' | 'no' | undefined;
    if (f.verdict === 'pass') {
      if (level === 'baseline' || f.level === 'restricted') violations = 'no';
    } else if (meets(f, level, baseline)) {
      if (checksFor(f).includes(check.kind)) violations = 'yes';
      else if (expectedChecks[f.control]?.includes(check.kind)) violations = 'no';
    }
    if (violations) cases.push({ name: `${f.level}-${f.verdict}-${f.stem}`, object: fixtureObject(f), assertions: [{ violations }] });
  }
  return cases;
}

const pssLevels = (check: Check): PsaLevel[] => PSS_LEVELS.filter((l) => check.pss?.[l] !== undefined);

/**
 * gator has no external data providers (its Rego has no `external_data` builtin): a suite may bring
 * `external-data.rego`, a function `gator_external_data(request)` answering like Gatekeeper's
 * builtin, which replaces the call in the rendered template (test only; Gatekeeper gets the template
 * as rendered).
 */
function withGatorExternalData<T>(template: T, stubFile: string): T {
  if (!existsSync(stubFile)) return template;
  const stub = readFileSync(stubFile, 'utf8');
  const spec = (template as { spec: { targets: { code: { engine: string; source: { rego: string } }[] }[] } }).spec;
  for (const code of spec.targets.flatMap((t) => t.code)) {
    if (code.engine === 'Rego') code.source.rego = `${code.source.rego.replaceAll('external_data(', 'gator_external_data(')}\n${stub}`;
  }
  return template;
}

/**
 * The suite as the CEL-only template must pass it. CEL reports one violation per object (the
 * findings of every container joined with " | ", each as the Rego words it), so a count above one
 * becomes one; message assertions stay. CEL never reads the inventory: for a check that waives
 * findings by SecurityPolicyException, the cases whose object references one (by label) or that
 * bring an inventory are Rego's alone.
 */
function celSuite(suite: Suite, check: Check, dir: string): void {
  const waives = (check.syncs?.length ?? 0) > 0;
  const rego = (c: SuiteCase) => (c as { inventory?: unknown }).inventory !== undefined
    || readFileSync(join(dir, c.object), 'utf8').includes('security.deckhouse.io/security-policy-exception');
  for (const t of suite.tests) {
    t.cases = (t.cases ?? []).filter((c) => !(waives && rego(c)));
    for (const c of t.cases) {
      for (const a of c.assertions ?? []) if (typeof a.violations === 'number' && a.violations > 1) a.violations = 1;
    }
  }
  suite.tests = suite.tests.filter((t) => (t.cases ?? []).length > 0);
}

describe('gator suites per check', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ape-suites-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // Each engine on its own: the template rendered Rego-only, and CEL-only for checks with CEL.
  const rows = catalog.flatMap((c) => [
    [c.kind, c, 'Rego'] as const,
    ...(c.engines.includes('K8sNativeValidation') ? [[`${c.kind} [CEL]`, c, 'CEL'] as const] : []),
  ]);
  test.each(rows)('%s: gator verify passes its suite', (_kind, check, engine) => {
    const src = join(suitesDir, check.rego);
    expect(existsSync(join(src, 'suite.yaml'))).toBe(true);
    const dst = join(work, engine === 'CEL' ? `${check.rego}-cel` : check.rego);
    cpSync(src, dst, { recursive: true });
    writeFileSync(join(dst, 'template.yaml'), stringify(withGatorExternalData(renderTemplate(check, rego(), { cel: cel(), engines: engine }), join(src, 'external-data.rego'))));

    const suite = parse(readFileSync(join(src, 'suite.yaml'), 'utf8')) as Suite;
    // The fixtures, unchanged, for the generated cases and any hand-written case naming one.
    mkdirSync(join(dst, 'psa'));
    for (const f of allFixtures()) cpSync(f.path, join(dst, fixtureObject(f)));
    for (const level of pssLevels(check)) {
      writeFileSync(join(dst, pssConstraintFile(level)), stringify(pssConstraint(check, level)));
      const name = `psa-${level}`;
      expect(suite.tests.map((t) => t.name)).not.toContain(name);
      suite.tests.push({ name, template: 'template.yaml', constraint: pssConstraintFile(level), cases: psaCases(check, level) });
    }
    if (engine === 'CEL') celSuite(suite, check, dst);
    writeFileSync(join(dst, 'suite.yaml'), stringify(suite));

    const cases = suite.tests.flatMap((t) => t.cases ?? []);
    expect(cases.length).toBeGreaterThanOrEqual(6);
    for (const c of cases) {
      // Explicit assertions only: a case without them silently means "no violations".
      expect(c.assertions?.length ?? 0).toBeGreaterThan(0);
    }
    expect(cases.some((c) => c.assertions?.some((a) => a.violations === 'no' || a.violations === 0 || a.violations === false))).toBe(true);
    expect(cases.some((c) => c.assertions?.some((a) => a.violations !== 'no' && a.violations !== 0 && a.violations !== false))).toBe(true);

    const r = run(toolPath('gator'), ['verify', '-v', dst]);
    if (r.status !== 0) throw new Error(`gator verify failed for ${check.kind}:\n${r.stdout}\n${r.stderr}`);
    // Every case ran: gator prints one PASS line per case in verbose mode.
    const passed = (r.stdout.match(/--- PASS: /g) ?? []).length;
    expect(passed).toBeGreaterThanOrEqual(cases.length);
  });

  test('every suite folder belongs to a catalog check', () => {
    const folders = readdirSync(suitesDir).filter((d) => !d.startsWith('_'));
    const known = new Set(catalog.map((c) => c.rego));
    expect(folders.filter((f) => !known.has(f))).toEqual([]);
  });

  test('no suite keeps its own copy of a PSA fixture or of PSS parameters: both are generated', () => {
    const fixtures = new Set(allFixtures().map((f) => JSON.stringify(f.pod)));
    const copies: string[] = [];
    for (const check of catalog) {
      const src = join(suitesDir, check.rego);
      for (const level of PSS_LEVELS) if (existsSync(join(src, pssConstraintFile(level)))) copies.push(`${check.rego}/${pssConstraintFile(level)}`);
      if (existsSync(join(src, 'psa'))) copies.push(`${check.rego}/psa/`);
      // A copy by any name: a case file whose content is a fixture's.
      const casesDir = join(src, 'cases');
      for (const file of existsSync(casesDir) ? readdirSync(casesDir) : []) {
        const docs = parseAllDocuments(readFileSync(join(casesDir, file), 'utf8')).map((d) => JSON.stringify(d.toJS()));
        if (docs.some((d) => fixtures.has(d))) copies.push(`${check.rego}/cases/${file}`);
      }
    }
    expect(copies).toEqual([]);
  });

  test('every PSA fail fixture is asserted rejected by some check at a level that meets it', () => {
    const claimed = new Set<string>();
    for (const check of catalog) {
      for (const level of pssLevels(check)) {
        for (const c of psaCases(check, level)) if (c.assertions?.[0]?.violations === 'yes') claimed.add(c.object);
      }
    }
    const unclaimed = allFixtures().filter((f) => f.verdict === 'fail' && !claimed.has(fixtureObject(f))).map(fixtureObject);
    expect(unclaimed).toEqual([]);
    // Every check the mapping names exists and has a PSS level, so no fixture points at nothing.
    const pssKinds = new Set(catalog.filter((c) => pssLevels(c).length > 0).map((c) => c.kind));
    expect(Object.values(expectedChecks).flat().filter((k) => !pssKinds.has(k))).toEqual([]);
  });
});

describe('gator itself (test bed proof)', () => {
  test('reports a violation for a violating object and none for a compliant one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ape-gator-'));
    try {
      const check = catalog.find((c) => c.kind === 'D8PrivilegedContainer')!;
      writeFileSync(join(dir, 'template.yaml'), stringify(renderTemplate(check, rego())));
      writeFileSync(join(dir, 'constraint.yaml'), stringify({
        apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'D8PrivilegedContainer',
        metadata: { name: 'proof' }, spec: { match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] } },
      }));
      const pod = (name: string, privileged: boolean) => stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
        spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged } }] },
      });
      writeFileSync(join(dir, 'bad.yaml'), pod('bad', true));
      writeFileSync(join(dir, 'good.yaml'), pod('good', false));
      const bad = run(toolPath('gator'), ['test', '-f', join(dir, 'template.yaml'), '-f', join(dir, 'constraint.yaml'), '-f', join(dir, 'bad.yaml'), '-o', 'json']);
      const results = JSON.parse(bad.stdout) as { msg: string; constraint: { metadata: { name: string } } }[];
      expect(bad.status).toBe(1);
      expect(results).toHaveLength(1);
      expect(results[0].msg).toContain('container "app": securityContext.privileged is true');
      const good = run(toolPath('gator'), ['test', '-f', join(dir, 'template.yaml'), '-f', join(dir, 'constraint.yaml'), '-f', join(dir, 'good.yaml'), '-o', 'json']);
      expect(good.status).toBe(0);
      expect(JSON.parse(good.stdout) ?? []).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
