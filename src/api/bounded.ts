// Input of any size or depth must give errors, never an exception: the API server accepts JSON
// nested 10,000 deep, and render reads whatever a file holds. These helpers copy and quote user
// data without recursion and without copying more of a huge value into a message than a reader
// needs (a status is a report, not a copy of the input; its condition message has a CRD limit).

type Json = Record<string, unknown>;

/**
 * Deepest nesting kept by `boundedClone`. Nothing a policy or the settings accept is deeper than
 * about 10 levels (spec.match.namespaceSelector.labelSelector.matchExpressions[i].values[j]), and
 * metadata.managedFields mirrors the spec's depth, so 32 cuts only junk.
 */
export const MAX_DEPTH = 32;

export interface BoundedClone {
  value: unknown;
  /** Whether a value was cut for being nested deeper than the limit (`pathToFirstCut` says where). */
  cut: boolean;
  /** Whether a list was cut to its first `maxList` entries (`pathToLongList` says where). */
  shortened: boolean;
}

/**
 * A deep copy of JSON-like data (objects, arrays, primitives), made with an explicit stack.
 * Values nested deeper than `maxDepth` are replaced by `null` and the first such place is
 * reported. Keys are copied as own properties even when named `__proto__`.
 */
export function boundedClone(root: unknown, maxDepth = MAX_DEPTH, maxList = Infinity): BoundedClone {
  const result: BoundedClone = { value: undefined, cut: false, shortened: false };
  // Each entry copies `source` into `target[key]` (the root into result.value).
  const stack: { source: unknown; target: Json | unknown[]; key: string | number; depth: number }[] = [
    { source: root, target: result as unknown as Json, key: 'value', depth: 0 },
  ];
  const put = (target: Json | unknown[], key: string | number, v: unknown) => {
    if (Array.isArray(target)) target[key as number] = v;
    else Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
  };
  while (stack.length > 0) {
    const { source, target, key, depth } = stack.pop()!;
    if (typeof source !== 'object' || source === null) {
      put(target, key, source);
      continue;
    }
    if (depth >= maxDepth) {
      put(target, key, null);
      result.cut = true;
      continue;
    }
    if (Array.isArray(source)) {
      const length = Math.min(source.length, maxList);
      if (length < source.length) result.shortened = true;
      const copy: unknown[] = new Array<unknown>(length);
      put(target, key, copy);
      for (let i = length - 1; i >= 0; i--) stack.push({ source: source[i], target: copy, key: i, depth: depth + 1 });
    } else {
      const copy: Json = {};
      put(target, key, copy);
      const keys = Object.keys(source);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        stack.push({ source: (source as Json)[k], target: copy, key: k, depth: depth + 1 });
      }
    }
  }
  return result;
}

/**
 * Keys and indexes from the root to the first value (in document order) nested `maxDepth` deep,
 * i.e. the first place `boundedClone` cuts; undefined when nothing is that deep. Separate from the
 * clone so that the common case builds no paths.
 */
export function pathToFirstCut(root: unknown, maxDepth = MAX_DEPTH): (string | number)[] | undefined {
  // Depth-first in document order, iterative.
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: root, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= maxDepth) return path;
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ v: entries[i][1], path: [...path, entries[i][0]] });
  }
  return undefined;
}

/** Keys and indexes down to the first list (in document order) longer than `maxList`, and its length. */
export function pathToLongList(root: unknown, maxList: number, maxDepth = MAX_DEPTH): { path: (string | number)[]; length: number } | undefined {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: root, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null || path.length >= maxDepth) continue;
    if (Array.isArray(v) && v.length > maxList) return { path, length: v.length };
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.slice(0, maxList).map((x, i) => [i, x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ v: entries[i][1], path: [...path, entries[i][0]] });
  }
  return undefined;
}

/** Longest user value quoted whole in a message. */
export const QUOTE_MAX = 100;

/** `s`, or its first `max` characters and how long it was. Never splits a surrogate pair. */
export function clip(s: string, max = QUOTE_MAX): string {
  if (s.length <= max) return s;
  let head = s.slice(0, max);
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  return `${head}... (${s.length} characters)`;
}

/** A user value JSON-quoted for a message, clipped to QUOTE_MAX characters. */
export function quoted(s: string, max = QUOTE_MAX): string {
  return JSON.stringify(clip(s, max));
}
