import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Sources run from src/ (tests) and dist/src/ (the CLI): find the package root by walking up to
// our own package.json instead of assuming a depth.
let cached: string | undefined;
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const name = (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name;
      if (name === 'admission-policy-engine') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('admission-policy-engine: package root not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
