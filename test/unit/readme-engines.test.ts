// The README's "Policy engines" lists say which checks' templates carry CEL by default, which have
// CEL served only on request and which are Rego-only: they must match the catalog.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog } from '../../src/checks/index.js';
import { templateEngines } from '../../src/compile/template.js';
import { packageRoot } from '../../src/util/package-root.js';

function listed(readme: string, bullet: string): string[] {
  const section = readme.split('## Policy engines: Rego and CEL')[1]?.split('\n## ')[0] ?? '';
  const item = section.split('\n- ').find((b) => b.startsWith(bullet)) ?? '';
  return [...item.matchAll(/\bD8[A-Za-z]+/g)].map((m) => m[0]).sort();
}

test('the README lists each check under the engines its template carries by default', () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const both = catalog.filter((c) => templateEngines(c).length > 1).map((c) => c.kind).sort();
  const onRequest = catalog.filter((c) => templateEngines(c).length === 1 && c.engines.includes('K8sNativeValidation')).map((c) => c.kind).sort();
  const regoOnly = catalog.filter((c) => !c.engines.includes('K8sNativeValidation')).map((c) => c.kind).sort();
  expect(listed(readme, 'Rego and CEL')).toEqual(both);
  expect(listed(readme, 'CEL written but served only on request')).toEqual(onRequest);
  expect(listed(readme, 'Rego only')).toEqual(regoOnly);
});
