// Discovery and verification of cosign signatures of one image digest, in both formats:
//
// - bundle (cosign 3.x default): an OCI referrer of the image with artifactType
//   application/vnd.dev.sigstore.bundle.v0.3+json, found through the referrers API or, on
//   registries without it, in the index under the fallback tag `sha256-<hex>`. Its one layer is a
//   sigstore bundle whose DSSE envelope carries an in-toto statement (predicateType
//   https://sigstore.dev/cosign/sign/v1) about the image digest; the signature is over the DSSE
//   pre-authentication encoding.
// - legacy (cosign 2.x default): the manifest under tag `sha256-<hex>.sig`, one simple-signing
//   layer per signature, the signature (base64) in the layer annotation
//   dev.cosignproject.cosign/signature, over the raw payload bytes.
//
// In both, the signed payload must name the image digest. Keys only: no certificates, no
// transparency log (like the reference's Ratify with tLogVerify false); a bundle's
// verificationMaterial is ignored and every policy key is tried.
import type { Descriptor, RegistryClient } from './registry.js';
import { pae, verifySignature, type PublicKey } from './keys.js';
import { ItemError, TransientError } from './errors.js';

export const BUNDLE_ARTIFACT_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const SIMPLE_SIGNING_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';
const IN_TOTO_STATEMENTS = new Set(['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1']);
const LEGACY_TYPE = 'cosign container image signature';
/** Candidates examined per format: a registry cannot make one verification fetch unbounded data. */
const MAX_CANDIDATES = 16;

export interface Target {
  registry: string;
  repository: string;
  /** sha256:<hex> of the image manifest (or index). */
  digest: string;
}

export type Outcome =
  | { verified: true; format: 'bundle' | 'legacy'; keyIndex: number }
  | { verified: false; found: number; notes: string[] };

interface Partial {
  found: number;
  notes: string[];
  ok?: { format: 'bundle' | 'legacy'; keyIndex: number };
}

function tagOf(digest: string): string {
  return digest.replace(':', '-');
}

function firstKey(keys: readonly PublicKey[], data: Buffer, signature: Buffer): PublicKey | undefined {
  return keys.find((k) => verifySignature(k, data, signature));
}

function b64(value: unknown): Buffer | null {
  if (typeof value !== 'string' || value === '' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return null;
  return Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
}

/** Checks one sigstore bundle (bytes of the referrer's layer) against the image digest. */
export function checkBundle(bytes: Buffer, digest: string, keys: readonly PublicKey[]): { keyIndex: number } | { note: string } {
  let bundle: { mediaType?: unknown; dsseEnvelope?: { payload?: unknown; payloadType?: unknown; signatures?: unknown }; messageSignature?: unknown };
  try {
    bundle = JSON.parse(bytes.toString('utf8')) as typeof bundle;
  } catch {
    return { note: 'bundle is not JSON' };
  }
  if (typeof bundle.mediaType !== 'string' || !bundle.mediaType.startsWith('application/vnd.dev.sigstore.bundle')) return { note: 'not a sigstore bundle' };
  const env = bundle.dsseEnvelope;
  if (!env) return { note: bundle.messageSignature ? 'bundle holds a message signature, not a DSSE envelope' : 'bundle has no DSSE envelope' };
  if (env.payloadType !== IN_TOTO_PAYLOAD) return { note: 'DSSE payload is not an in-toto statement' };
  const payload = b64(env.payload);
  if (!payload) return { note: 'DSSE payload is not base64' };
  let statement: { _type?: unknown; predicateType?: unknown; subject?: unknown };
  try {
    statement = JSON.parse(payload.toString('utf8')) as typeof statement;
  } catch {
    return { note: 'in-toto statement is not JSON' };
  }
  if (typeof statement._type !== 'string' || !IN_TOTO_STATEMENTS.has(statement._type)) return { note: 'not an in-toto statement' };
  if (statement.predicateType !== COSIGN_SIGN_PREDICATE) return { note: 'an attestation, not a signature' };
  const hex = digest.slice('sha256:'.length);
  const subjects = Array.isArray(statement.subject) ? (statement.subject as { digest?: { sha256?: unknown } }[]) : [];
  if (!subjects.some((s) => s?.digest?.sha256 === hex)) return { note: 'signed statement names another digest' };
  const signed = pae(IN_TOTO_PAYLOAD, payload);
  const sigs = Array.isArray(env.signatures) ? (env.signatures as { sig?: unknown }[]) : [];
  for (const s of sigs) {
    const sig = b64(s?.sig);
    if (!sig) continue;
    const key = firstKey(keys, signed, sig);
    if (key) return { keyIndex: key.index };
  }
  return { note: 'signature does not verify with any key of the policy' };
}

/** Checks one legacy simple-signing payload and its base64 signature against the image digest. */
export function checkSimpleSigning(payload: Buffer, signatureB64: string, digest: string, keys: readonly PublicKey[]): { keyIndex: number } | { note: string } {
  let doc: { critical?: { image?: { 'docker-manifest-digest'?: unknown }; type?: unknown } };
  try {
    doc = JSON.parse(payload.toString('utf8')) as typeof doc;
  } catch {
    return { note: 'simple-signing payload is not JSON' };
  }
  if (doc?.critical?.type !== LEGACY_TYPE) return { note: 'not a cosign container image signature' };
  if (doc.critical.image?.['docker-manifest-digest'] !== digest) return { note: 'signed payload names another digest' };
  const sig = b64(signatureB64);
  if (!sig) return { note: 'signature annotation is not base64' };
  const key = firstKey(keys, payload, sig);
  return key ? { keyIndex: key.index } : { note: 'signature does not verify with any key of the policy' };
}

async function bundles(client: RegistryClient, t: Target, keys: readonly PublicKey[], signal: AbortSignal): Promise<Partial> {
  const out: Partial = { found: 0, notes: [] };
  let candidates = await client.referrers(t.registry, t.repository, t.digest, BUNDLE_ARTIFACT_TYPE, signal);
  let viaTag = false;
  if (candidates === null || candidates.length === 0) {
    // No referrers API (or nothing in it): the OCI fallback tag holds an index of referrers.
    const index = await client.manifest(t.registry, t.repository, tagOf(t.digest), signal);
    candidates = (index?.json.manifests ?? []).filter((d: Descriptor) => d.artifactType === BUNDLE_ARTIFACT_TYPE);
    viaTag = true;
  }
  // Skip attestations announced as such; a referrer without the annotation is checked.
  const signatures = candidates.filter((d) => {
    const p = d.annotations?.['dev.sigstore.bundle.predicateType'];
    return p === undefined || p === COSIGN_SIGN_PREDICATE;
  });
  for (const d of signatures.slice(0, MAX_CANDIDATES)) {
    const m = await client.manifest(t.registry, t.repository, d.digest, signal);
    if (!m) continue;
    if (viaTag && m.json.subject?.digest !== t.digest) {
      out.notes.push('fallback-tag referrer is about another digest');
      continue;
    }
    const layer = (m.json.layers ?? []).find((l) => l.mediaType === BUNDLE_ARTIFACT_TYPE);
    if (!layer) {
      out.notes.push('bundle referrer without a bundle layer');
      continue;
    }
    out.found++;
    const r = checkBundle(await client.blob(t.registry, t.repository, layer.digest, signal), t.digest, keys);
    if ('keyIndex' in r) return { ...out, ok: { format: 'bundle', keyIndex: r.keyIndex } };
    out.notes.push(`bundle: ${r.note}`);
  }
  return out;
}

async function legacy(client: RegistryClient, t: Target, keys: readonly PublicKey[], signal: AbortSignal): Promise<Partial> {
  const out: Partial = { found: 0, notes: [] };
  const m = await client.manifest(t.registry, t.repository, `${tagOf(t.digest)}.sig`, signal);
  if (!m) return out;
  const layers = (m.json.layers ?? []).filter((l) => l.mediaType === SIMPLE_SIGNING_TYPE && typeof l.annotations?.[SIGNATURE_ANNOTATION] === 'string');
  for (const l of layers.slice(0, MAX_CANDIDATES)) {
    out.found++;
    const payload = await client.blob(t.registry, t.repository, l.digest, signal, 64 * 1024);
    const r = checkSimpleSigning(payload, l.annotations![SIGNATURE_ANNOTATION], t.digest, keys);
    if ('keyIndex' in r) return { ...out, ok: { format: 'legacy', keyIndex: r.keyIndex } };
    out.notes.push(`legacy: ${r.note}`);
  }
  return out;
}

/**
 * Looks for a signature of `t.digest` by one of `keys` in both formats, concurrently; the first
 * valid one wins. A transient failure in one format decides nothing unless the other format
 * verified: then the image is verified; else the failure is raised (retry later).
 */
export async function verifyDigest(client: RegistryClient, t: Target, keys: readonly PublicKey[], parent: AbortSignal): Promise<Outcome> {
  const local = new AbortController();
  const signal = AbortSignal.any([parent, local.signal]);
  const paths = [bundles(client, t, keys, signal), legacy(client, t, keys, signal)];
  const settled: (PromiseSettledResult<Partial> | undefined)[] = [undefined, undefined];
  await new Promise<void>((resolve) => {
    paths.forEach((p, i) => {
      p.then(
        (v) => {
          settled[i] = { status: 'fulfilled', value: v };
          if (v.ok) local.abort();
          if (v.ok || settled.every((s) => s !== undefined)) resolve();
        },
        (e: unknown) => {
          settled[i] = { status: 'rejected', reason: e };
          if (settled.every((s) => s !== undefined)) resolve();
        },
      );
    });
  });
  for (const s of settled) if (s?.status === 'fulfilled' && s.value.ok) return { verified: true, ...s.value.ok };
  // Neither verified: a transient failure means "unknown", an ItemError is a definitive refusal.
  const errors = settled.filter((s): s is PromiseRejectedResult => s?.status === 'rejected').map((s) => s.reason as unknown);
  const transient = errors.find((e) => e instanceof TransientError);
  if (transient) throw transient;
  const definitive = errors.find((e) => e instanceof ItemError);
  if (definitive) throw definitive;
  if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  const parts = settled.map((s) => (s as PromiseFulfilledResult<Partial>).value);
  return { verified: false, found: parts.reduce((n, p) => n + p.found, 0), notes: [...new Set(parts.flatMap((p) => p.notes))] };
}
