// Ordering that is the same on every machine. Locale-aware comparison follows the process locale (ICU reads
// LC_ALL/LANG): under cs_CZ "ch" sorts after "h", so render output and the operator's desired hash
// would differ between a laptop and a cluster. Everything we sort for output uses these instead.

/** Compares strings by UTF-16 code units, like Go's `sort.Strings` on ASCII and `<` in JS. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator over the key a function extracts, in code-point order. */
export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => byCodePoint(key(a), key(b));
}

/** Chains comparators: the first non-zero result wins. */
export function thenBy<T>(...comparators: ((a: T, b: T) => number)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const c of comparators) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  };
}
