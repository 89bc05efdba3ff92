// The container image, checked without a container engine: the steps of Containerfile's build and
// package stages, run here on a copy of the sources, give a package that runs from an empty
// directory with production dependencies only, and writes nothing under itself when it runs
// (the image's root filesystem is read-only). The Containerfile must say exactly these commands.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
// The Containerfile's commands (stage 1 after `npm ci`, stage 2).
const BUILD = 'npx tsc -p tsconfig.json && mkdir -p /pkg && npm pack --ignore-scripts --pack-destination /pkg';
const INSTALL = 'npm ci --omit=dev --ignore-scripts --no-audit --no-fund';
const COPIED = ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'crds', 'manifests', 'templates-rego'];

function tree(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return out;
}

describe('container build (Containerfile) and npm pack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ape-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sh = (cmd: string, cwd: string) => execFileSync('bash', ['-c', cmd], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

  test('the Containerfile runs these steps, multi-stage, Node 20, non-root, no dev dependencies', () => {
    const text = readFileSync(join(root, 'Containerfile'), 'utf8');
    expect(text).toContain(`RUN ${BUILD}`);
    expect(text).toContain(`&& ${INSTALL}`);
    expect(text).toContain('RUN npm ci --ignore-scripts');
    for (const f of COPIED.filter((f) => !['package.json', 'package-lock.json', 'tsconfig.json'].includes(f))) expect(text).toContain(`COPY ${f} ./${f}`);
    const froms = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms).toHaveLength(3);
    for (const f of froms) expect(f).toMatch(/node(js)?:?20|nodejs20/);
    expect(text).toMatch(/^USER 65534:65534$/m);
    expect(text).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/dist\/src\/cli\/main\.js"\]$/m);
    // The image's entry point is the package's bin.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['admission-policy-engine']).toBe('dist/src/cli/main.js');
    // The build context holds only what is copied.
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    expect(ignore.sort()).toEqual([...COPIED].sort());
  });

  test('the packed package runs from an empty directory with production dependencies only', () => {
    // Stage 1 (build), on a copy of the sources as the build context holds them (.dockerignore:
    // no tests); `npm ci` replaced by the repository's node_modules.
    const build = join(dir, 'build');
    mkdirSync(build);
    for (const f of COPIED) cpSync(join(root, f), join(build, f), { recursive: true, filter: (s) => !s.endsWith('.test.ts') });
    symlinkSync(join(root, 'node_modules'), join(build, 'node_modules'));
    sh(BUILD.replaceAll('/pkg', join(dir, 'pkg')), build);
    const tarballs = readdirSync(join(dir, 'pkg'));
    expect(tarballs).toEqual(['admission-policy-engine-0.1.0.tgz']);
    const tgz = join(dir, 'pkg', tarballs[0]);
    const files = sh(`tar -tzf ${tgz}`, dir).split('\n').filter(Boolean);
    expect(files).toContain('package/dist/src/cli/main.js');
    expect(files).toContain('package/crds/securitypolicies.deckhouse.io.yaml');
    expect(files).toContain('package/manifests/kustomization.yaml');
    expect(files.some((f) => f.startsWith('package/templates-rego/'))).toBe(true);
    expect(files.filter((f) => /^package\/(test|src)\//.test(f) || /\.test\.js$/.test(f))).toEqual([]);

    // Stage 2 (package): unpack, production dependencies from the lock file (offline here: the
    // npm cache holds them since `npm ci`).
    const app = join(dir, 'app');
    mkdirSync(app);
    sh(`tar -xzf ${tgz} --strip-components=1 -C ${app} && cp ${join(root, "package-lock.json")} ${app}/package-lock.json && ${INSTALL} --prefer-offline`, app);
    for (const dev of ['typescript', 'jest', 'eslint', '@kubernetes/client-node', 'ts-jest']) expect(existsSync(join(app, 'node_modules', dev))).toBe(false);
    for (const dep of ['yaml', 'ajv', 'prom-client', 'p-queue', 're2js']) expect(existsSync(join(app, 'node_modules', dep, 'package.json'))).toBe(true);

    // Runtime: from an empty working directory, as the image's ENTRYPOINT; nothing written under /app.
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const before = tree(app);
    const node = (args: string[]) => execFileSync(process.execPath, [join(app, 'dist/src/cli/main.js'), ...args], { cwd: empty, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' } });
    expect(node(['--help'])).toContain('Usage: admission-policy-engine <command>');
    expect(node(['run', '--help'])).toContain('--metrics-addr');
    const rendered = node(['render', '-o', 'json']);
    expect(rendered).toContain('"kind": "ConstraintTemplate"');
    expect(readdirSync(empty)).toEqual([]);
    expect(tree(app)).toEqual(before);
  }, 600_000);
});
