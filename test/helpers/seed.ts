// The user documentation's YAML examples, read at test time so tests follow the document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';

export type SeedObject = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: unknown }; spec?: Record<string, unknown>; [k: string]: unknown };

export function seedObjects(): SeedObject[] {
  const text = readFileSync(join(packageRoot(), '../shared/seed/security-policies.md'), 'utf8');
  const blocks = [...text.matchAll(/^[ \t]*```ya?ml[ \t]*\n([\s\S]*?)^[ \t]*```/gm)].map((m) => m[1]);
  return blocks.flatMap((b) => parseAllDocuments(b).map((d) => d.toJS() as SeedObject | null)).filter((o): o is SeedObject => !!o?.kind);
}

export function seedPolicies(): SeedObject[] {
  return seedObjects().filter((o) => o.kind === 'OperationPolicy' || o.kind === 'SecurityPolicy');
}
