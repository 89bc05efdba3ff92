// The built CLI (dist/), as users run it. `npm test` builds it before jest runs; a stale build
// fails here with the command that fixes it instead of testing old code.
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
  if (!existsSync(bin) || statSync(bin).mtimeMs < newestSource(join(root, 'src'))) {
    throw new Error(`${bin} is missing or older than src/: run \`npm run build\` first (npm test does)`);
  }
  return bin;
}
