import type { Check } from '../checks/types.js';
import { checkRego, renderTemplate } from './template.js';

const check = (rego: string): Check => ({ kind: 'D8Test', rego, description: 'test', parameters: {}, matches: [], source: 'BuiltIn' });

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
