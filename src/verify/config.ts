// The verifier's configuration, written by the operator (a Secret, since it carries registry
// credentials) and reloaded by the verifier when the file changes. Format: see src/verify/README.md.
// Parsing and the revision are pure so that the operator can compute the revision it puts in the
// constraint's parameters with the same code.
import { normaliseReference, policyRevision, ReferenceError, type PolicyConfig, type ReferenceConfig } from '../api/image-reference.js';

export { policyRevision, type PolicyConfig, type ReferenceConfig } from '../api/image-reference.js';

export const CONFIG_API_VERSION = 'admission-policy-engine.deckhouse.io/v1alpha1';
export const CONFIG_KIND = 'ImageVerifierConfig';

export interface VerifierConfig {
  apiVersion: typeof CONFIG_API_VERSION;
  kind: typeof CONFIG_KIND;
  policies: PolicyConfig[];
  /** Registries (host[:port]) spoken to over plain HTTP. Tests and air-gapped mirrors only. */
  plainHttpRegistries?: string[];
}

export class ConfigError extends Error {}

const POLICY_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function str(v: unknown, where: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new ConfigError(`${where} must be a non-empty string of at most ${max} characters`);
  return v;
}

/** Validates a parsed config document. Error messages name fields, never their values. */
export function parseConfig(doc: unknown): VerifierConfig {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError('configuration must be a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.apiVersion !== CONFIG_API_VERSION || d.kind !== CONFIG_KIND) throw new ConfigError(`configuration must have apiVersion ${CONFIG_API_VERSION} and kind ${CONFIG_KIND}`);
  if (!Array.isArray(d.policies)) throw new ConfigError('policies must be a list');
  const seen = new Set<string>();
  const policies = d.policies.map((p: unknown, i): PolicyConfig => {
    if (typeof p !== 'object' || p === null) throw new ConfigError(`policies[${i}] must be an object`);
    const pr = p as Record<string, unknown>;
    const name = str(pr.name, `policies[${i}].name`, 253);
    if (!POLICY_NAME.test(name)) throw new ConfigError(`policies[${i}].name is not a Kubernetes object name`);
    if (seen.has(name)) throw new ConfigError(`policies[${i}].name repeats policy ${name}`);
    seen.add(name);
    if (!Array.isArray(pr.references) || pr.references.length === 0) throw new ConfigError(`policies[${i}].references must be a non-empty list`);
    const references = pr.references.map((r: unknown, j): ReferenceConfig => {
      const where = `policies[${i}].references[${j}]`;
      if (typeof r !== 'object' || r === null) throw new ConfigError(`${where} must be an object`);
      const rr = r as Record<string, unknown>;
      const reference = str(rr.reference, `${where}.reference`, 1024);
      try {
        normaliseReference(reference);
      } catch (e) {
        throw new ConfigError(`${where}.reference: ${e instanceof ReferenceError ? e.message : 'invalid'}`);
      }
      if (!Array.isArray(rr.publicKeys) || rr.publicKeys.length === 0) throw new ConfigError(`${where}.publicKeys must be a non-empty list`);
      const publicKeys = rr.publicKeys.map((k, n) => str(k, `${where}.publicKeys[${n}]`, 16384));
      const out: ReferenceConfig = { reference, publicKeys };
      if (rr.dockerCfg !== undefined) out.dockerCfg = str(rr.dockerCfg, `${where}.dockerCfg`, 65536);
      if (rr.ca !== undefined) out.ca = str(rr.ca, `${where}.ca`, 65536);
      return out;
    });
    return { name, references };
  });
  const out: VerifierConfig = { apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, policies };
  if (d.plainHttpRegistries !== undefined) {
    if (!Array.isArray(d.plainHttpRegistries)) throw new ConfigError('plainHttpRegistries must be a list');
    out.plainHttpRegistries = d.plainHttpRegistries.map((h, i) => str(h, `plainHttpRegistries[${i}]`, 255));
  }
  return out;
}

export interface ProviderKey {
  policy: string;
  revision?: string;
  image: string;
}

/** `<policy>|<image>` or `<policy>@<revision>|<image>`; null when malformed. */
export function parseProviderKey(key: string): ProviderKey | null {
  const bar = key.indexOf('|');
  if (bar <= 0 || bar === key.length - 1) return null;
  const head = key.slice(0, bar);
  const image = key.slice(bar + 1);
  const at = head.indexOf('@');
  const policy = at === -1 ? head : head.slice(0, at);
  const revision = at === -1 ? undefined : head.slice(at + 1);
  if (!POLICY_NAME.test(policy) || (revision !== undefined && !/^[a-f0-9]{16}$/.test(revision))) return null;
  return revision === undefined ? { policy, image } : { policy, revision, image };
}

/** The provider key the template sends for an image of a policy. */
export function providerKey(policy: PolicyConfig, image: string): string {
  return `${policy.name}@${policyRevision(policy)}|${image}`;
}
