import type { Check } from '../checks/types.js';
import { catalog } from '../checks/index.js';
import { checkCel, checkRego, renderTemplate, templateEngines } from './template.js';

const check = (rego: string): Check => ({ kind: 'D8Test', rego, engines: ['Rego'], description: 'test', parameters: {}, matches: [], source: 'BuiltIn' });

describe('template libs come from the Rego imports', () => {
  const rego = new Map([
    ['t/src.rego', 'package d8test\n\nimport data.lib.b\nimport data.lib.a as x\n'],
    ['lib/a.rego', 'package lib.a\n\nimport data.lib.c\n'],
    ['lib/b.rego', 'package lib.b\n'],
    ['lib/c.rego', 'package lib.c\n'],
    ['lib/unused.rego', 'package lib.unused\n'],
  ]);

  test('transitively, in a stable order, and nothing unused', () => {
    expect(checkRego(check('t'), rego).libs).toEqual(['package lib.a\n\nimport data.lib.c\n', 'package lib.b\n', 'package lib.c\n']);
  });

  test('the template serves the Rego as v1 source with its libs', () => {
    const t = renderTemplate(check('t'), rego) as { spec: { targets: { code: { engine: string; source: { version: string; libs: string[] } }[] }[] } };
    expect(t.spec.targets[0].code[0].engine).toBe('Rego');
    expect(t.spec.targets[0].code[0].source.version).toBe('v1');
    expect(t.spec.targets[0].code[0].source.libs).toHaveLength(3);
  });

  test('a missing module names the file and the check', () => {
    expect(() => checkRego(check('missing'), rego)).toThrow('templates-rego/missing/src.rego is missing (needed by D8Test)');
    expect(() => checkRego(check('t'), new Map([['t/src.rego', 'import data.lib.nope']]))).toThrow('templates-rego/lib/nope.rego is missing');
  });
});

describe('template engines', () => {
  const rego = new Map([['t/src.rego', 'package d8test\n']]);
  const cel = new Map([
    ['lib/pods.cel.yaml', { variables: [{ name: 'a', expression: 'true' }, { name: 'b', expression: 'variables.a' }, { name: 'unused', expression: '1' }] }],
    ['t/src.cel.yaml', { variables: [{ name: 'own', expression: 'variables.b' }], validations: [{ expression: 'variables.own' }] }],
  ]);
  const both: Check = { ...check('t'), engines: ['Rego', 'K8sNativeValidation'] };
  const waiving: Check = { ...both, syncs: [{ group: 'deckhouse.io', version: 'v1alpha1', kind: 'SecurityPolicyException' }] };
  const engines = (c: Check, engines?: 'Exact' | 'All' | 'Rego' | 'CEL') =>
    (renderTemplate(c, rego, { cel, engines }) as { spec: { targets: { code: { engine: string }[] }[] } }).spec.targets[0].code.map((x) => x.engine);

  test('CEL beside the Rego by default, only for checks that read no inventory', () => {
    expect(engines(both)).toEqual(['K8sNativeValidation', 'Rego']);
    expect(engines(waiving)).toEqual(['Rego']);
    expect(engines(waiving, 'All')).toEqual(['K8sNativeValidation', 'Rego']);
    expect(engines(check('t'), 'All')).toEqual(['Rego']);
  });

  test('one engine on demand, a check without CEL staying Rego', () => {
    expect(engines(both, 'Rego')).toEqual(['Rego']);
    expect(engines(waiving, 'CEL')).toEqual(['K8sNativeValidation']);
    expect(engines(check('t'), 'CEL')).toEqual(['Rego']);
  });

  test('the lib variables a check uses come first, transitively, in lib order; nothing unused', () => {
    expect(checkCel(both, cel).variables?.map((v) => v.name)).toEqual(['a', 'b', 'own']);
  });

  test('a missing CEL file or an unknown variable names the file', () => {
    expect(() => checkCel(both, new Map())).toThrow('templates-rego/t/src.cel.yaml is missing (needed by D8Test');
    const bad = new Map([['t/src.cel.yaml', { validations: [{ expression: 'variables.nope' }] }]]);
    expect(() => checkCel(both, bad)).toThrow('variables.nope is neither');
  });
});

describe('templateEngines', () => {
  const byKind = (kind: string) => catalog.find((c) => c.kind === kind)!;
  test('a check whose messages quote free-form policy strings serves its CEL only on request', () => {
    const repos = byKind('D8AllowedRepos');
    expect(repos.celOnRequest).toBeDefined();
    expect(templateEngines(repos)).toEqual(['Rego']);
    expect(templateEngines(repos, 'All')).toEqual(['K8sNativeValidation', 'Rego']);
    expect(templateEngines(repos, 'CEL')).toEqual(['K8sNativeValidation']);
  });
  test('a check with CEL and nothing against it serves both by default; Rego-only checks never CEL', () => {
    expect(templateEngines(byKind('D8DNSPolicy'))).toEqual(['K8sNativeValidation', 'Rego']);
    expect(templateEngines(byKind('D8DenyExecHeritage'), 'All')).toEqual(['Rego']);
  });
});
