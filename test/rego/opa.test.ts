// Every check's Rego and the shared libs: `opa test` runs their unit tests, `opa check --strict`
// the modules, and every catalog entry must have its folder with both files.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog } from '../../src/checks/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { toolPath } from '../helpers/tools.js';
import { run } from '../helpers/run.js';

const regoDir = join(packageRoot(), 'templates-rego');

/**
 * OPA's capabilities plus Gatekeeper's `external_data` builtin (D8VerifyImageSignatures calls it;
 * its tests replace it with `with external_data as <fake>`).
 */
function gatekeeperCapabilities(): string {
  const caps = JSON.parse(run(toolPath('opa'), ['capabilities', '--current']).stdout) as { builtins: unknown[] };
  const anyObject = { type: 'object', dynamic: { key: { type: 'any' }, value: { type: 'any' } } };
  caps.builtins.push({ name: 'external_data', decl: { type: 'function', args: [anyObject], result: anyObject } });
  const file = join(mkdtempSync(join(tmpdir(), 'ape-opa-caps-')), 'capabilities.json');
  writeFileSync(file, JSON.stringify(caps));
  return file;
}

interface OpaTestResult {
  location: { file: string };
  package: string;
  name: string;
  fail?: boolean;
  error?: unknown;
}

describe('Rego of the check library', () => {
  let results: OpaTestResult[] = [];

  beforeAll(() => {
    const r = run(toolPath('opa'), ['test', '--capabilities', gatekeeperCapabilities(), regoDir, '--format', 'json']);
    results = JSON.parse(r.stdout) as OpaTestResult[];
  });

  test('every opa unit test passes', () => {
    const failed = results.filter((t) => t.fail || t.error).map((t) => `${t.package}.${t.name}`);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(catalog.length * 6);
  });

  test.each(catalog.map((c) => [c.kind, c] as const))('%s has its Rego folder with unit tests', (_kind, check) => {
    const dir = join(regoDir, check.rego);
    expect(existsSync(join(dir, 'src.rego'))).toBe(true);
    expect(existsSync(join(dir, 'src_test.rego'))).toBe(true);
    const tests = results.filter((t) => t.location.file.startsWith(dir + '/'));
    // Allowed, violating, field-absent, multi-container, init and ephemeral at the least.
    expect(tests.length).toBeGreaterThanOrEqual(6);
  });

  test('every shared lib has unit tests', () => {
    const libs = readdirSync(join(regoDir, 'lib')).filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'));
    for (const lib of libs) {
      const testFile = join(regoDir, 'lib', lib.replace(/\.rego$/, '_test.rego'));
      expect(existsSync(testFile)).toBe(true);
      expect(results.some((t) => t.location.file === testFile)).toBe(true);
    }
  });

  test('opa check --strict accepts every module', () => {
    const r = run(toolPath('opa'), ['check', '--strict', '--capabilities', gatekeeperCapabilities(), regoDir]);
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  test('no module imports rego.v1 (Gatekeeper rejects it)', () => {
    for (const check of catalog) {
      const src = readFileSync(join(regoDir, check.rego, 'src.rego'), 'utf8');
      expect(src).not.toMatch(/import\s+rego\.v1/);
    }
  });
});

describe('opa itself (test bed proof)', () => {
  test('evaluates a module and reports a failing unit test as failing', () => {
    const dir = join(packageRoot(), 'test/rego/fixtures/opa-proof');
    const evalRes = run(toolPath('opa'), ['eval', '-d', dir, '--format', 'json', 'data.proof.answer']);
    expect(evalRes.status).toBe(0);
    const evaluated = JSON.parse(evalRes.stdout) as { result: { expressions: { value: unknown }[] }[] };
    expect(evaluated.result[0]?.expressions[0]?.value).toBe(42);
    const testRes = run(toolPath('opa'), ['test', dir, '--format', 'json']);
    const tests = JSON.parse(testRes.stdout) as OpaTestResult[];
    expect(testRes.status).not.toBe(0);
    expect(tests.find((t) => t.name === 'test_answer_is_42')?.fail).toBeFalsy();
    expect(tests.find((t) => t.name === 'test_deliberately_wrong')?.fail).toBe(true);
  });
});
