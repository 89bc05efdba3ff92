// Reads policy files for `render`: multi-document YAML or JSON, files or directories (recursive,
// sorted). Policies, the admission-policy-engine ModuleConfig and Namespaces are kept; other kinds
// are reported as ignored. Parse errors name the file and document.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { NamespaceInput, PolicyInput } from '../compile/types.js';

import { MODULE_CONFIG_NAME } from '../api/types.js';

export interface Inputs {
  policies: PolicyInput[];
  namespaces: NamespaceInput[];
  /**
   * `spec.settings` of the ModuleConfig, with where it came from; `bare` when the settings file
   * held the mapping itself (no ModuleConfig around it), so messages name the right field path.
   */
  settings?: { value: unknown; origin: string; bare?: boolean };
  notes: string[];
  errors: string[];
}

function listFiles(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) return listFiles(full);
      return ['.yaml', '.yml', '.json'].includes(extname(entry)) ? [full] : [];
    });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readInputs(paths: string[], settingsFile?: string): Inputs {
  const out: Inputs = { policies: [], namespaces: [], notes: [], errors: [] };
  const files: string[] = [];
  for (const p of paths) {
    try {
      files.push(...listFiles(p));
    } catch (err) {
      out.errors.push(`${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)}`);
    }
  }
  const visit = (file: string, onlySettings: boolean) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      out.errors.push(`${file}: cannot read: ${String(err)}`);
      return;
    }
    parseAllDocuments(text).forEach((doc, i) => {
      const where = `${file}: document ${i + 1}`;
      if (doc.errors.length > 0) {
        out.errors.push(`${where}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
        return;
      }
      const obj: unknown = doc.toJS();
      if (obj === null || obj === undefined) return;
      const items = isObject(obj) && Array.isArray(obj.items) && typeof obj.kind === 'string' && obj.kind.endsWith('List') ? (obj.items as unknown[]) : [obj];
      for (const item of items) {
        if (!isObject(item)) {
          out.errors.push(`${where}: not a Kubernetes object (expected a mapping with apiVersion and kind)`);
          continue;
        }
        const kind = typeof item.kind === 'string' ? item.kind : '';
        const meta = isObject(item.metadata) ? item.metadata : {};
        const name = typeof meta.name === 'string' ? meta.name : '';
        if (kind === 'ModuleConfig') {
          if (name !== MODULE_CONFIG_NAME) {
            out.notes.push(`${where}: ignoring ModuleConfig "${name}" (only "${MODULE_CONFIG_NAME}" configures this module)`);
            continue;
          }
          if (out.settings) out.notes.push(`${where}: ModuleConfig ${MODULE_CONFIG_NAME} overrides the one in ${out.settings.origin}`);
          const spec = isObject(item.spec) ? item.spec : {};
          out.settings = { value: spec.settings ?? {}, origin: where };
        } else if (onlySettings && !kind) {
          // A bare settings mapping, as under ModuleConfig spec.settings.
          out.settings = { value: item, origin: where, bare: true };
        } else if (onlySettings) {
          out.notes.push(`${where}: ignoring ${kind || 'object without kind'} in the settings file`);
        } else if (kind === 'OperationPolicy' || kind === 'SecurityPolicy') {
          out.policies.push({ ...(item as Omit<PolicyInput, 'kind'>), kind, origin: where });
        } else if (kind === 'Namespace') {
          if (!name) {
            out.errors.push(`${where}: Namespace without metadata.name`);
            continue;
          }
          const labels: Record<string, string> = {};
          if (isObject(meta.labels)) for (const [k, v] of Object.entries(meta.labels)) labels[k] = String(v);
          labels['kubernetes.io/metadata.name'] = name;
          out.namespaces.push({ name, labels });
        } else {
          out.notes.push(`${where}: ignoring ${kind || 'object without kind'}${name ? ` "${name}"` : ''}`);
        }
      }
    });
  };
  for (const f of files) visit(f, false);
  if (settingsFile) visit(settingsFile, true);
  return out;
}
