// The image verifier's cluster wiring (SecurityPolicy verifyImageSignatures), kept while some valid
// policy verifies signatures and removed when none does:
//   - Secret <config>: the verifier's configuration (policies -> references -> keys, dockerCfg, ca),
//     mounted into the verifier, which reloads it when it changes (src/verify/README.md);
//   - Secret <tls>: the verifier's serving certificate, issued here by a CA of our own (x509.ts):
//     the CA lives 10 years and stays in the Provider's caBundle, the leaf lives a year and is
//     renewed 30 days before it expires (and when the Service names change), so a renewal never
//     changes the caBundle;
//   - Provider <name> (externaldata.gatekeeper.sh): url of the verifier Service, caBundle, timeout.
// Credentials and keys go only into the config Secret: never into logs, events, status or errors
// (failures are logged with the object and the HTTP status only).
import { createHash } from 'node:crypto';
import type { PolicyConfig } from '../api/image-reference.js';
import { IMAGE_VERIFIER_PROVIDER } from '../checks/verify-image-signatures.js';
import { ownershipLabels } from '../compile/labels.js';
import type { KubeClient } from '../kube/client.js';
import type { ApiResources } from '../kube/discovery.js';
import { httpStatus, isNotFound } from '../kube/errors.js';
import { applyObject, deleteObject, type KubeObject } from '../kube/ssa.js';
import type { Logger } from '../util/log.js';
import { CONFIG_API_VERSION, CONFIG_KIND, type VerifierConfig } from '../verify/config.js';
import { newCa, newServingCert, pkiUsable } from './x509.js';

export interface ImageVerifierOptions {
  /** Namespace of the verifier Deployment, its Service and both Secrets. */
  namespace: string;
  /** Service name (default ape-image-verifier). */
  service?: string;
  /** Provider URL; default https://<service>.<namespace>.svc:8443/v1/verify. */
  url?: string;
  /** Provider spec.timeout in seconds (default 2, with the verifier's --budget-ms 1500). */
  timeoutSeconds?: number;
  /** Registries spoken to over plain HTTP (an operator setting, never from a policy). */
  plainHttpRegistries?: string[];
  /** Secret names (defaults ape-image-verifier-config, ape-image-verifier-tls). */
  configSecret?: string;
  tlsSecret?: string;
}

export const IMAGE_VERIFIER_DEFAULTS = {
  service: 'ape-image-verifier',
  configSecret: 'ape-image-verifier-config',
  tlsSecret: 'ape-image-verifier-tls',
  timeoutSeconds: 2,
} as const;

/** Key of the verifier configuration in its Secret (mounted as a file). */
export const CONFIG_FILE_KEY = 'config.json';

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
  type?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));
const digest = (o: unknown) => createHash('sha256').update(JSON.stringify(o)).digest('hex');

/** The verifier configuration document (pure; policies already sorted by compile). */
export function verifierConfig(policies: readonly PolicyConfig[], plainHttpRegistries: readonly string[] = []): VerifierConfig {
  const out: VerifierConfig = { apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, policies: policies.map((p) => ({ name: p.name, references: p.references })) };
  if (plainHttpRegistries.length > 0) out.plainHttpRegistries = [...plainHttpRegistries];
  return out;
}

export class ImageVerifierWiring {
  private readonly service: string;
  private readonly url: string;
  private readonly hosts: string[];
  /** Digest of what was last applied per object: nothing is written at rest. */
  private readonly applied = new Map<string, string>();
  private lastTlsCheck = 0;
  /** false once the wiring is known absent (deleted or never made). */
  private active: boolean | undefined;

  constructor(private readonly o: ImageVerifierOptions & { client: KubeClient; resources: ApiResources; fieldManager: string; log: Logger; now: () => Date }) {
    this.service = o.service ?? IMAGE_VERIFIER_DEFAULTS.service;
    this.url = o.url ?? `https://${this.service}.${o.namespace}.svc:8443/v1/verify`;
    const urlHost = new URL(this.url).hostname.replace(/^\[|\]$/g, '');
    this.hosts = [...new Set([urlHost, this.service, `${this.service}.${o.namespace}`, `${this.service}.${o.namespace}.svc`, `${this.service}.${o.namespace}.svc.cluster.local`])];
  }

  private get configSecret() { return this.o.configSecret ?? IMAGE_VERIFIER_DEFAULTS.configSecret; }
  private get tlsSecret() { return this.o.tlsSecret ?? IMAGE_VERIFIER_DEFAULTS.tlsSecret; }

  private meta(name: string, namespaced = true) {
    return { name, ...(namespaced ? { namespace: this.o.namespace } : {}), labels: ownershipLabels('BuiltIn', name) };
  }

  /** Whether the object exists; a kind the API server does not serve (no Gatekeeper CRD) holds none. */
  private async exists(obj: KubeObject): Promise<boolean> {
    try {
      await this.o.client.request('GET', await this.o.resources.path(obj));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Brings the wiring in line with the verifying policies; returns failures (no secrets in them). */
  async sync(policies: readonly PolicyConfig[] | undefined): Promise<{ writes: number; failed: string[] }> {
    const out = { writes: 0, failed: [] as string[] };
    const step = async (what: string, fn: () => Promise<number>) => {
      try {
        out.writes += await fn();
      } catch (err) {
        const status = httpStatus(err);
        const msg = `image verifier: ${what} failed (${status ? `HTTP ${status}` : 'no answer from the API server'})`;
        this.o.log.warn(msg);
        out.failed.push(msg);
      }
    };
    if (!policies || policies.length === 0) {
      if (this.active === false) return out;
      for (const obj of [this.provider(''), this.secretRef(this.configSecret), this.secretRef(this.tlsSecret)]) {
        await step(`deleting ${obj.kind}/${obj.metadata.name}`, async () => {
          // Read first: a restarted operator with nothing to remove must write nothing (a DELETE
          // answered 404 is still a write request in the API server's audit log).
          if (!(await this.exists(obj))) return 0;
          try {
            await deleteObject(this.o.client, this.o.resources, obj);
            this.o.log.info(`deleted ${obj.kind}/${obj.metadata.name} (no policy verifies image signatures)`);
            return 1;
          } catch (err) {
            if (isNotFound(err)) return 0;
            throw err;
          }
        });
      }
      this.applied.clear();
          // Not retried every pass: a failure (e.g. no Provider CRD) was logged; the next start tries again.
      this.active = false;
      return out;
    }
    this.active = true;
    // Every 10 minutes, with the certificate check, apply again: an object changed or deleted behind
    // our back is restored (an unchanged apply writes nothing).
    if (this.o.now().getTime() - this.lastTlsCheck >= 600_000) for (const k of [...this.applied.keys()]) if (k !== 'tls-ca') this.applied.delete(k);
    let caBundle: string | undefined;
    await step(`Secret/${this.tlsSecret}`, async () => {
      const r = await this.ensureTls();
      caBundle = r.caCert;
      return r.writes;
    });
    const config = verifierConfig(policies, this.o.plainHttpRegistries);
    await step(`Secret/${this.configSecret}`, () => this.applyOnce({
      apiVersion: 'v1', kind: 'Secret', metadata: this.meta(this.configSecret), type: 'Opaque',
      data: { [CONFIG_FILE_KEY]: b64(`${JSON.stringify(config, null, 2)}\n`) },
    }, 'verifier configuration'));
    if (caBundle) await step(`Provider/${IMAGE_VERIFIER_PROVIDER}`, () => this.applyOnce(this.provider(caBundle!), this.url));
    return out;
  }

  private secretRef(name: string): SecretObject {
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: this.o.namespace } };
  }

  private provider(caCert: string): KubeObject {
    return {
      apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'Provider', metadata: this.meta(IMAGE_VERIFIER_PROVIDER, false),
      spec: { url: this.url, timeout: this.o.timeoutSeconds ?? IMAGE_VERIFIER_DEFAULTS.timeoutSeconds, caBundle: b64(caCert) },
    };
  }

  /** Server-side apply when the content differs from our last apply in this process. */
  private async applyOnce(obj: KubeObject, what: string): Promise<number> {
    const key = `${obj.kind}/${obj.metadata.name}`;
    const d = digest(obj);
    if (this.applied.get(key) === d) return 0;
    await applyObject(this.o.client, this.o.resources, obj, this.o.fieldManager);
    this.applied.set(key, d);
    this.o.log.info(`applied ${key} (${what})`);
    return 1;
  }

  /**
   * The serving certificate Secret: read at most every 10 minutes (and after our own writes), a new
   * leaf when the stored one is missing, invalid, expiring within 30 days or not for these names;
   * a new CA only when the CA is missing, invalid or within 13 months of its end.
   */
  private async ensureTls(): Promise<{ caCert: string; writes: number }> {
    const now = this.o.now();
    const cached = this.applied.get('tls-ca');
    if (cached && now.getTime() - this.lastTlsCheck < 600_000) return { caCert: cached, writes: 0 };
    let stored: SecretObject | undefined;
    try {
      stored = await this.o.client.request<SecretObject>('GET', `/api/v1/namespaces/${encodeURIComponent(this.o.namespace)}/secrets/${encodeURIComponent(this.tlsSecret)}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const data = stored?.data ?? {};
    const pki = { caCert: unb64(data['ca.crt']), caKey: unb64(data['ca.key']), cert: unb64(data['tls.crt']), key: unb64(data['tls.key']) };
    const usable = pkiUsable(pki, this.hosts, now);
    let writes = 0;
    let caCert = pki.caCert ?? '';
    if (!usable.ca || !usable.cert) {
      const ca = usable.ca ? { caCert: pki.caCert!, caKey: pki.caKey! } : newCa(now, `${this.service}-ca`);
      const leaf = newServingCert(ca, this.hosts, now);
      await applyObject(this.o.client, this.o.resources, {
        apiVersion: 'v1', kind: 'Secret', metadata: this.meta(this.tlsSecret), type: 'kubernetes.io/tls',
        data: { 'ca.crt': b64(ca.caCert), 'ca.key': b64(ca.caKey), 'tls.crt': b64(leaf.cert), 'tls.key': b64(leaf.key) },
      }, this.o.fieldManager);
      this.o.log.info(`applied Secret/${this.tlsSecret} (${usable.ca ? 'serving certificate renewed' : 'new CA and serving certificate'})`);
      caCert = ca.caCert;
      writes = 1;
    }
    this.applied.set('tls-ca', caCert);
    this.lastTlsCheck = now.getTime();
    return { caCert, writes };
  }
}
