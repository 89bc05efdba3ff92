// render output is the same on every machine: no ordering follows the process locale. ICU (inside
// Node) takes its default locale from LC_ALL/LANG, so the same input is rendered by the built CLI
// under two collations that order "ch" differently (Czech sorts it after "h") and must give
// identical bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { builtCli } from '../helpers/cli.js';
import { run } from '../helpers/run.js';

const policy = (name: string, kind = 'SecurityPolicy') => stringify({
  apiVersion: 'deckhouse.io/v1alpha1', kind, metadata: { name },
  spec: { enforcementAction: 'Deny', match: { namespaceSelector: { matchNames: ['chata', 'hat', 'Cheap'.toLowerCase()] } }, policies: kind === 'SecurityPolicy' ? { allowPrivileged: false } : { allowedRepos: ['hat.io/', 'cheap.io/'] } },
});

describe('render is locale-independent', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ape-locale-'));
    writeFileSync(join(dir, 'policies.yaml'), [policy('hat'), policy('cheap'), policy('chata'), policy('hat', 'OperationPolicy'), policy('cheap', 'OperationPolicy')].join('---\n'));
    writeFileSync(join(dir, 'namespaces.yaml'), ['hat', 'cheap', 'chata'].map((n) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { 'security.deckhouse.io/pod-policy-action': 'warn' } } })).join('---\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const renderUnder = (locale: string) => {
    const env = { ...process.env, LC_ALL: locale, LANG: locale };
    // The probe shows this process really collates by the locale (else the test proves nothing).
    const probe = run(process.execPath, ['-e', 'console.log(["hat","cheap"].sort((a,b)=>a.localeCompare(b)).join(","))'], { env });
    const out = run(process.execPath, [builtCli(), 'render', '-f', dir, '-o', 'yaml'], { env });
    return { probe: probe.stdout.trim(), out };
  };

  test('cs_CZ and C.UTF-8 give byte-identical output', () => {
    const czech = renderUnder('cs_CZ.UTF-8');
    const c = renderUnder('C.UTF-8');
    expect(czech.probe).toBe('hat,cheap');
    expect(c.probe).toBe('cheap,hat');
    expect(czech.out.status).toBe(0);
    expect(c.out.status).toBe(0);
    expect(czech.out.stdout.length).toBeGreaterThan(1000);
    expect(czech.out.stdout).toBe(c.out.stdout);
    // And the order is code-point order: policy constraints named cheap before hat.
    const names = [...c.out.stdout.matchAll(/^ {2}name: (cheap|chata|hat)$/gm)].map((m) => m[1]);
    expect(names.slice(0, 3)).toEqual(['chata', 'cheap', 'hat']);
  });
});
