// Image references: parsing with Docker Hub normalisation, and the matching of a policy's
// `verifyImageSignatures[].reference` against an image; a verified policy's revision. Pure (no I/O):
// compile renders the template's anchored patterns, the overlap check and the revision with these
// functions, and the verifier (src/verify) imports the same ones, so that the Rego filter, the
// provider keys and the verifier agree on which images a reference covers.
//
// Normalisation (what `docker pull` does): a first path component is a registry host when it
// contains `.` or `:` or is `localhost`; otherwise the registry is `docker.io` and a single-component
// path gets `library/`. `index.docker.io` is spelled `docker.io`. The Docker Hub API lives on
// `registry-1.docker.io`.
import { createHash } from 'node:crypto';


export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;

export interface ImageRef {
  /** Registry as written after normalisation, e.g. `docker.io`, `registry.example.com:5000`. */
  registry: string;
  /** Repository path, e.g. `library/nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export class ReferenceError extends Error {}

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Parses an image as written in a Pod; throws ReferenceError when it is not a valid reference. */
export function parseImage(image: string): ImageRef {
  if (image.length === 0 || image.length > 1024) throw new ReferenceError('invalid image reference');
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ReferenceError('unsupported digest (only sha256:<64 hex>)');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ReferenceError('invalid tag');
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && looksLikeHost(parts[0])) {
    registry = parts.shift()!;
    if (!HOST.test(registry)) throw new ReferenceError('invalid registry host');
    if (registry === 'index.docker.io') registry = DOCKER_HUB;
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) throw new ReferenceError('invalid repository name');
  const repository = parts.join('/');
  if (registry.length + 1 + repository.length > 255) throw new ReferenceError('repository name too long');
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `registry/repository[:tag][@digest]`, normalised. */
export function formatImage(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The host:port to talk to for a normalised registry name. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => (c === '/' || c === '-' ? c : `\\${c}`));
}

/**
 * The normalised form of a policy reference (`reference` of verifyImageSignatures), and whether it
 * ends in `*` (a prefix). Without `*` it is an image address, normalised like an image.
 * With `*`, the part before it is a prefix of normalised images: its first component is
 * normalised as a registry when it has a `/` after it (`myrepo/*` -> `docker.io/myrepo/`), or when
 * it looks like a host (`registry.example.com*`); a bare word (`ngin*`) is a Docker Hub official
 * image prefix (`docker.io/library/ngin`). `*` alone covers every image.
 */
export function normaliseReference(reference: string): { prefix: boolean; value: string } {
  if (!reference.endsWith('*')) return { prefix: false, value: formatImage(parseImage(reference)) };
  const p = reference.slice(0, -1);
  if (p.includes('*')) throw new ReferenceError('a reference may hold a single trailing *');
  if (p === '') return { prefix: true, value: '' };
  const slash = p.indexOf('/');
  if (slash === -1) {
    return { prefix: true, value: looksLikeHost(p) ? p : `${DOCKER_HUB}/library/${p}` };
  }
  const first = p.slice(0, slash);
  const rest = p.slice(slash + 1);
  if (looksLikeHost(first)) return { prefix: true, value: `${first === 'index.docker.io' ? DOCKER_HUB : first}/${rest}` };
  return { prefix: true, value: `${DOCKER_HUB}/${p}` };
}

/**
 * The anchored RE2-compatible pattern a reference stands for, matched against the *normalised*
 * image (formatImage(parseImage(image))). A prefix reference matches every image starting with
 * its prefix. An address without a tag or digest matches that repository with any tag and/or
 * digest; with a tag, that tag with or without a digest; with a digest, exactly that.
 */
export function referencePattern(reference: string): string {
  const { prefix, value } = normaliseReference(reference);
  if (prefix) return `^${escapeRegex(value)}.*$`;
  const ref = parseImage(reference);
  const digestOpt = '(?:@sha256:[a-f0-9]{64})?';
  if (ref.digest !== undefined) return `^${escapeRegex(value)}$`;
  if (ref.tag !== undefined) return `^${escapeRegex(value)}${digestOpt}$`;
  return `^${escapeRegex(value)}(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?${digestOpt}$`;
}

/** Whether a policy reference covers an image (both as written; the image is normalised here). */
export function referenceMatches(reference: string, image: string): boolean {
  let normalised: string;
  try {
    normalised = formatImage(parseImage(image));
  } catch {
    return false;
  }
  return new RegExp(referencePattern(reference)).test(normalised);
}

/**
 * Whether two references may cover a common image (reference §7: references of different
 * policies must not intersect). Two prefixes overlap when one starts with the other; an address
 * covers its repository (conservatively, whatever tag or digest it pins), so it overlaps a prefix
 * that could continue into it and another address of the same repository.
 */
export function referencesOverlap(a: string, b: string): boolean {
  const na = normaliseReference(a);
  const nb = normaliseReference(b);
  const stem = (r: string) => {
    const ref = parseImage(r);
    return `${ref.registry}/${ref.repository}`;
  };
  if (na.prefix && nb.prefix) return na.value.startsWith(nb.value) || nb.value.startsWith(na.value);
  if (!na.prefix && !nb.prefix) return stem(a) === stem(b);
  const prefix = na.prefix ? na.value : nb.value;
  const address = stem(na.prefix ? b : a);
  if (address.startsWith(prefix)) return true;
  return prefix.startsWith(address) && (prefix.length === address.length || ':@'.includes(prefix[address.length]));
}

export interface ReferenceConfig {
  /** As in the SecurityPolicy: an image address, or a prefix ending in a single `*`. */
  reference: string;
  /** PEM public keys; an image is verified when one valid signature verifies with one of them. */
  publicKeys: string[];
  /** Base64 `.dockerconfigjson`, verbatim from the SecurityPolicy. */
  dockerCfg?: string;
  /** PEM CA certificate(s) trusted for this reference's registries, besides the system roots. */
  ca?: string;
}

export interface PolicyConfig {
  /** SecurityPolicy name (the `<policy>` of the provider keys). */
  name: string;
  references: ReferenceConfig[];
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A policy's revision: the first 16 hex digits of the SHA-256 of its canonical JSON (name and
 * references with keys, dockerCfg and ca). The operator puts it in the provider keys
 * (`<policy>@<revision>|<image>`): a changed key, credential or CA makes new keys, so neither
 * Gatekeeper's cache nor ours answers with a verdict reached under the old configuration.
 */
export function policyRevision(policy: PolicyConfig): string {
  const refs = policy.references.map((r) => ({ reference: r.reference, publicKeys: r.publicKeys, dockerCfg: r.dockerCfg ?? null, ca: r.ca ?? null }));
  return createHash('sha256').update(canonical({ name: policy.name, references: refs })).digest('hex').slice(0, 16);
}
