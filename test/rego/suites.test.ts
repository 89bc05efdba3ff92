// gator suites, one per check (test/suites/<rego folder>/suite.yaml). The template each suite
// verifies is rendered from the catalog into a temp copy, so the suite checks what we ship.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { catalog } from '../../src/checks/index.js';
import { renderTemplate } from '../../src/compile/template.js';
import { packageRoot } from '../../src/util/package-root.js';
import { toolPath } from '../helpers/tools.js';
import { run } from '../helpers/run.js';

const suitesDir = join(packageRoot(), 'test/suites');

interface SuiteCase {
  name: string;
  object: string;
  assertions?: { violations?: string | number | boolean; message?: string }[];
}
interface Suite {
  tests: { name: string; template: string; constraint: string; cases?: SuiteCase[] }[];
}

describe('gator suites per check', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ape-suites-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test.each(catalog.map((c) => [c.kind, c] as const))('%s: gator verify passes its suite', (_kind, check) => {
    const src = join(suitesDir, check.rego);
    expect(existsSync(join(src, 'suite.yaml'))).toBe(true);
    const dst = join(work, check.rego);
    cpSync(src, dst, { recursive: true });
    writeFileSync(join(dst, 'template.yaml'), stringify(renderTemplate(check)));

    const suite = parse(readFileSync(join(src, 'suite.yaml'), 'utf8')) as Suite;
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
});

describe('gator itself (test bed proof)', () => {
  test('reports a violation for a violating object and none for a compliant one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ape-gator-'));
    try {
      const check = catalog.find((c) => c.kind === 'D8PrivilegedContainer')!;
      writeFileSync(join(dir, 'template.yaml'), stringify(renderTemplate(check)));
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
