// The built CLI (dist/), as users run it. `npm ci` builds it (prepare); when a source is newer than
// the build, it is rebuilt here first, so a test never runs old code. tsc emits even when some file
// does not type-check; lint (in npm test) reports type errors.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    const st = statSync(full);
    newest = Math.max(newest, st.isDirectory() ? newestSource(full) : entry.endsWith('.ts') ? st.mtimeMs : 0);
  }
  return newest;
}

export function builtCli(): string {
  const root = packageRoot();
  const bin = join(root, 'dist/src/cli/main.js');
  const fresh = () => existsSync(bin) && statSync(bin).mtimeMs >= newestSource(join(root, 'src'));
  if (!fresh()) {
    const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
    if (!fresh()) throw new Error(`could not build ${bin}:\n${r.stdout}${r.stderr}`);
  }
  return bin;
}
