// The layer rule in eslint.config.js really rejects upward imports and I/O in the pure layers
// (a rule that silently matched nothing would let the architecture rot unnoticed).
// The layer entries of the project's own config, with a plain TypeScript parser (the type-aware
// rules need files on disk; the import rule does not).
import { ESLint, type Linter } from 'eslint';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import tseslint from 'typescript-eslint';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
let eslint: ESLint;

beforeAll(async () => {
  const config = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as { layerRules: () => Linter.Config[] };
  eslint = new ESLint({
    cwd: root, overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...config.layerRules()],
  });
});

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(fatal.map((m) => m.message).join('; '));
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint rule', () => {
  test('pure layers may not do I/O or import the shell', async () => {
    expect(await restricted('src/compile/probe.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toHaveLength(1);
    expect(await restricted('src/checks/probe.ts', "import { compile } from '../compile/index.js';\nexport const a = compile;\n")).toHaveLength(1);
    expect(await restricted('src/api/probe.ts', "import { catalog } from '../checks/index.js';\nexport const a = catalog;\n")).toHaveLength(1);
    expect(await restricted('src/compile/probe.ts', "import { Watched } from '../kube/watched.js';\nexport const a = Watched;\n")).toHaveLength(1);
  });

  test('the ground imports no layer; reconcile not the cli', async () => {
    expect(await restricted('src/kube/probe.ts', "import { compile } from '../compile/index.js';\nexport const a = compile;\n")).toHaveLength(1);
    expect(await restricted('src/util/probe.ts', "import { plan } from '../reconcile/plan.js';\nexport const a = plan;\n")).toHaveLength(1);
    expect(await restricted('src/reconcile/probe.ts', "import { main } from '../cli/main.js';\nexport const a = main;\n")).toHaveLength(1);
    // The signature service sits below the operator's shell and above the pure layers.
    expect(await restricted('src/verify/probe.ts', "import { plan } from '../reconcile/plan.js';\nexport const a = plan;\n")).toHaveLength(1);
    expect(await restricted('src/compile/probe.ts', "import { parseConfig } from '../verify/config.js';\nexport const a = parseConfig;\n")).toHaveLength(1);
    expect(await restricted('src/verify/probe.ts', "import { clip } from '../api/bounded.js';\nexport const a = clip;\n")).toHaveLength(0);
  });

  test('downward imports are allowed', async () => {
    expect(await restricted('src/reconcile/probe.ts', "import { compile } from '../compile/index.js';\nimport { Watched } from '../kube/watched.js';\nexport const a = [compile, Watched];\n")).toEqual([]);
    expect(await restricted('src/checks/probe.ts', "import type { SecurityPolicies } from '../api/types.js';\nimport { byCodePoint } from '../util/order.js';\nexport type A = SecurityPolicies;\nexport const b = byCodePoint;\n")).toEqual([]);
  });
});
