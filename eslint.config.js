// Lint runs inside `npm test`: type-aware rules catch floating promises, which in an operator
// mean lost errors and silent stalls.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layers of src/ import downward only: cli -> reconcile -> verify -> compile -> checks -> api, with
// kube and util as ground that imports no layer. verify (the image signature service) sits below
// reconcile so the operator can write its configuration, and above the pure layers it may use.
// The pure layers (compile, checks, api) do no I/O either: the edge (cli) loads files and passes
// the data in. See README "Layout".
const LAYERS = ['cli', 'reconcile', 'verify', 'compile', 'checks', 'api'];
const GROUND = ['kube', 'util'];
const IO_MODULES = ['fs', 'fs/promises', 'child_process', 'http', 'https', 'net', 'os', 'worker_threads']
  .flatMap((m) => [m, `node:${m}`]).concat(['@kubernetes/client-node', 'winston']);
const PURE = new Set(['compile', 'checks', 'api']);

export function layerRules() {
  const folders = [...LAYERS, ...GROUND];
  return folders.map((folder) => {
    const rank = LAYERS.indexOf(folder);
    // A layer may import the layers below it and the ground; the ground imports no layer, and kube
    // and util do not import each other's folder except util (kube may use util).
    const forbidden = rank >= 0
      ? [...LAYERS.slice(0, rank + 1).filter((l) => l !== folder), ...(PURE.has(folder) ? ['kube'] : [])]
      : [...LAYERS, ...(folder === 'util' ? ['kube'] : [])];
    const patterns = forbidden.map((f) => ({
      group: [`../${f}/*`],
      message: `src/${folder} must not import src/${f}: layers import downward only (cli -> reconcile -> verify -> compile -> checks -> api; kube and util are ground).`,
    }));
    const paths = PURE.has(folder)
      ? IO_MODULES.map((name) => ({ name, message: `src/${folder} is pure: load data at the edge (src/cli) and pass it in.` }))
      : [];
    return { files: [`src/${folder}/**/*.ts`], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'test/helpers/*.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...layerRules(),
  { files: ['**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', process: 'readonly' } } },
);
