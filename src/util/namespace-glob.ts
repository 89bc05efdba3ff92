// Namespace globs as Gatekeeper matches them in constraint `namespaces` / `excludedNamespaces`:
// a name, or a pattern with a leading and/or trailing `*`.

/** Namespace globs as Gatekeeper matches them: a leading and/or trailing `*`. */
export function globMatches(glob: string, name: string): boolean {
  if (glob === '*') return true;
  const starts = glob.startsWith('*');
  const ends = glob.endsWith('*');
  const core = glob.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (starts && ends) return name.includes(core);
  if (starts) return name.endsWith(core);
  if (ends) return name.startsWith(core);
  return name === core;
}

/** Whether every namespace `glob` can match is also matched by `cover`. */
export function globCovers(cover: string, glob: string): boolean {
  if (cover === '*') return true;
  if (!glob.includes('*')) return globMatches(cover, glob);
  // A glob is covered by a prefix glob that is a prefix of its own fixed prefix (and likewise for suffixes).
  const prefixOf = (g: string) => (g.endsWith('*') && !g.startsWith('*') ? g.slice(0, -1) : undefined);
  const suffixOf = (g: string) => (g.startsWith('*') && !g.endsWith('*') ? g.slice(1) : undefined);
  const cp = prefixOf(cover);
  const gp = prefixOf(glob);
  if (cp !== undefined && gp !== undefined) return gp.startsWith(cp);
  const cs = suffixOf(cover);
  const gs = suffixOf(glob);
  if (cs !== undefined && gs !== undefined) return gs.endsWith(cs);
  return false;
}

