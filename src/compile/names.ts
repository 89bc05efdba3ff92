// Deterministic names. Kubernetes caps object names at 253 characters and label values at 63;
// anything longer keeps a readable prefix and gets a stable hash suffix of the full value.
import { createHash } from 'node:crypto';

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 10);
}

function bounded(value: string, max: number): string {
  if (value.length <= max) return value;
  const suffix = `-${shortHash(value)}`;
  // Keep the prefix a valid name tail: no trailing dot or dash before the suffix.
  const prefix = value.slice(0, max - suffix.length).replace(/[-.]+$/, '');
  return prefix + suffix;
}

/** A valid object name (DNS-1123 subdomain length). */
export const objectName = (value: string): string => bounded(value, 253);

/** A valid label value (63 characters; must start and end alphanumeric). */
export const labelValue = (value: string): string => bounded(value, 63);

/** Namespaces that belong to the platform (reference §3.5): treated apart from user namespaces. */
export const SYSTEM_NAMESPACE_PREFIXES = ['d8-', 'kube-'] as const;
export const SYSTEM_NAMESPACE_PATTERNS = SYSTEM_NAMESPACE_PREFIXES.map((p) => `${p}*`);

export function isSystemNamespace(name: string): boolean {
  return SYSTEM_NAMESPACE_PREFIXES.some((p) => name.startsWith(p));
}
