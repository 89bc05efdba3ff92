// `npm run bench` entry. The benchmarks run for minutes in a working tree others edit and rebuild
// meanwhile: the operator started at the end (restart) must be the same build, with the same Rego
// and CRDs, as the one started at the beginning, and as the compile() the bench uses to know what to
// expect. So this copies the built package (dist, crds, templates-rego, manifests, the tool versions)
// to a temporary directory once and runs the benchmarks (main.ts) from there.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

if (process.env.APE_BENCH_SNAPSHOT) {
  await import('./main.js');
} else {
  const root = packageRoot();
  const snap = mkdtempSync(join(tmpdir(), 'ape-bench-pkg-'));
  for (const p of ['package.json', 'dist', 'crds', 'templates-rego', 'manifests', 'test/tools/versions.sh']) cpSync(join(root, p), join(snap, p), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(snap, 'node_modules'));
  // Which sources were measured (read-only git queries), for comparing runs.
  const git = (...args: string[]) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git('status', '--porcelain', '--', 'src', 'templates-rego', 'crds').split('\n').filter(Boolean).length;
  const source = `${git('rev-parse', '--short', 'HEAD') || 'unknown commit'}${dirty ? ` + ${dirty} uncommitted changes under src/, templates-rego/, crds/` : ''}`;
  const child = spawn(process.execPath, [...process.execArgv, join(snap, 'dist/test/bench/run.js'), ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, APE_BENCH_SNAPSHOT: snap, APE_BENCH_SOURCE: source },
  });
  // Ctrl-C reaches the child too (same process group): it stops what it started, then exits.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (!process.env.APE_KEEP_TEST_DIRS) rmSync(snap, { recursive: true, force: true });
  process.exit(code);
}
