// Gatekeeper's namespace matching, re-stated for tests: which constraints reach a namespace.
import type { LabelSelector, Match } from '../../src/compile/types.js';

function glob(pattern: string, name: string): boolean {
  if (pattern.startsWith('*')) return name.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const v = labels[e.key];
    switch (e.operator) {
      case 'In': if (!has || !e.values?.includes(v)) return false; break;
      case 'NotIn': if (has && e.values?.includes(v)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unknown operator ${String(e.operator)}`);
    }
  }
  return true;
}

export function matchesNamespace(match: Match, name: string, labels: Record<string, string>): boolean {
  if (match.namespaces && !match.namespaces.some((p) => glob(p, name))) return false;
  if (match.excludedNamespaces?.some((p) => glob(p, name))) return false;
  return selects(match.namespaceSelector, { ...labels, 'kubernetes.io/metadata.name': name });
}
