// The real Gatekeeper manager, run out of cluster against a test control plane: its CRDs are read
// from the Go module it was built from (never committed copies), its webhook is registered by URL
// with our CA, and stop() removes the webhook configuration first so the API server is never left
// calling a dead webhook. start() runs a fresh manager after stop(), for Gatekeeper outages.
import { mkdirSync, readdirSync, readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, AdmissionregistrationV1Api, ApiextensionsV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { isNotFound } from '../../src/kube/errors.js';
import { gatekeeperModuleDir, toolPath } from '../helpers/tools.js';
import type { ControlPlane } from './control-plane.js';
import { freePort, startProcess, waitFor, type Managed } from './processes.js';
import { ssaApply } from '../helpers/kube.js';

export const GATEKEEPER_NAMESPACE = 'gatekeeper-system';
export const VALIDATING_WEBHOOK_NAME = 'gatekeeper-validating-webhook-configuration';
export const MUTATING_WEBHOOK_NAME = 'gatekeeper-mutating-webhook-configuration';

export interface Gatekeeper {
  /** The manager process last started. */
  process: Managed;
  webhookBase: string;
  /** Gatekeeper's Prometheus endpoint (of the manager last started). */
  metricsUrl: string;
  logTail(lines?: number): string;
  /** Removes the webhook configuration, then stops the manager. Idempotent. */
  stop(): Promise<void>;
  /**
   * Starts a new manager after stop() (same flags, new ports, same log file) and registers its
   * webhook again; resolves once it is ready. A no-op while one is running.
   */
  start(): Promise<void>;
}

export interface GatekeeperOptions {
  /** Extra manager flags. */
  args?: string[];
  /** Register the validating webhook (default true). The operator tests register their own. */
  registerWebhook?: boolean;
}

export function gatekeeperCrds(): KubernetesObject[] {
  const dir = join(gatekeeperModuleDir(), 'charts/gatekeeper/crds');
  const out: KubernetesObject[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as KubernetesObject | null;
      if (obj?.kind === 'CustomResourceDefinition') out.push(obj);
    }
  }
  return out;
}

export async function installGatekeeperCrds(cp: ControlPlane): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
  const ext = cp.kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crds = gatekeeperCrds();
  if (crds.length < 10) throw new Error(`expected Gatekeeper CRDs in its module, found ${crds.length}`);
  for (const crd of crds) await ssaApply(api, crd, 'ape-test-bed');
  await waitFor('Gatekeeper CRDs established', async () => {
    for (const crd of crds) {
      const got = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      if (!got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
    }
    return true;
  }, 30000);
}

/** Subresources the Gatekeeper v3.23 chart lists in its rules (values `validatingWebhookSubResources`). */
const CHART_SUBRESOURCES = [
  'pods/ephemeralcontainers', 'pods/exec', 'pods/log', 'pods/eviction', 'pods/portforward', 'pods/proxy', 'pods/attach', 'pods/binding', 'pods/resize',
  'deployments/scale', 'replicasets/scale', 'statefulsets/scale', 'replicationcontrollers/scale', 'services/proxy', 'nodes/proxy', 'services/status',
];

function chartNamespaceSelector() {
  return {
    matchExpressions: [
      { key: 'admission.gatekeeper.sh/ignore', operator: 'DoesNotExist' },
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [GATEKEEPER_NAMESPACE] },
    ],
  };
}

/**
 * Exactly what the Gatekeeper v3.23 chart installs with its default values
 * (charts/gatekeeper/templates/gatekeeper-validating-webhook-configuration-...yaml): CREATE and
 * UPDATE only (`enableDeleteOperations` and `enableConnectOperations` are false), every resource and
 * the listed subresources, `failurePolicy: Ignore`, 3 s; the service reference replaced by a URL
 * (the manager runs out of cluster). DELETE and CONNECT routing is the operator's job.
 */
export function validatingWebhookConfiguration(webhookBase: string, caBundle: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: VALIDATING_WEBHOOK_NAME, labels: { 'gatekeeper.sh/system': 'yes' } },
    webhooks: [
      {
        name: 'validation.gatekeeper.sh',
        admissionReviewVersions: ['v1', 'v1beta1'],
        clientConfig: { url: `${webhookBase}/v1/admit`, caBundle },
        failurePolicy: 'Ignore',
        matchPolicy: 'Exact',
        namespaceSelector: chartNamespaceSelector(),
        objectSelector: {},
        rules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*', ...CHART_SUBRESOURCES], scope: '*' }],
        sideEffects: 'None',
        timeoutSeconds: 3,
      },
      {
        name: 'check-ignore-label.gatekeeper.sh',
        admissionReviewVersions: ['v1', 'v1beta1'],
        clientConfig: { url: `${webhookBase}/v1/admitlabel`, caBundle },
        failurePolicy: 'Fail',
        matchPolicy: 'Exact',
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [GATEKEEPER_NAMESPACE] }] },
        rules: [{ apiGroups: [''], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['namespaces'], scope: '*' }],
        sideEffects: 'None',
        timeoutSeconds: 3,
      },
    ],
  };
}

/** The chart's MutatingWebhookConfiguration with default values (Gatekeeper owns mutation routing). */
export function mutatingWebhookConfiguration(webhookBase: string, caBundle: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: MUTATING_WEBHOOK_NAME, labels: { 'gatekeeper.sh/system': 'yes' } },
    webhooks: [
      {
        name: 'mutation.gatekeeper.sh',
        admissionReviewVersions: ['v1', 'v1beta1'],
        clientConfig: { url: `${webhookBase}/v1/mutate`, caBundle },
        failurePolicy: 'Ignore',
        matchPolicy: 'Exact',
        namespaceSelector: chartNamespaceSelector(),
        objectSelector: {},
        reinvocationPolicy: 'Never',
        rules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*', ...CHART_SUBRESOURCES.filter((r) => r !== 'pods/resize')], scope: '*' }],
        sideEffects: 'None',
        timeoutSeconds: 1,
      },
    ],
  };
}

export async function startGatekeeper(cp: ControlPlane, opts: GatekeeperOptions = {}): Promise<Gatekeeper> {
  await installGatekeeperCrds(cp);
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  try {
    await core.createNamespace({ body: { metadata: { name: GATEKEEPER_NAMESPACE } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const certDir = join(cp.dir, 'gatekeeper-certs');
  mkdirSync(certDir, { recursive: true });
  copyFileSync(cp.pki.servingCert, join(certDir, 'tls.crt'));
  copyFileSync(cp.pki.servingKey, join(certDir, 'tls.key'));
  // Audit stages listed resources on disk (in a cluster: an emptyDir at /tmp/audit); without the
  // directory every audit run fails and constraints never report violations.
  const auditDir = join(cp.dir, 'gatekeeper-audit');
  mkdirSync(auditDir, { recursive: true });
  const admission = cp.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const removeWebhook = async () => {
    // The test bed has no garbage collector: remove what it would, the configurations owned by
    // Gatekeeper's (the operator's routing), so the API server never calls a stopped manager.
    const owned = (await admission.listValidatingWebhookConfiguration()).items
      .filter((c) => c.metadata?.ownerReferences?.some((r) => r.kind === 'ValidatingWebhookConfiguration' && r.name === VALIDATING_WEBHOOK_NAME));
    const deletions: Promise<unknown>[] = [
      admission.deleteValidatingWebhookConfiguration({ name: VALIDATING_WEBHOOK_NAME }),
      admission.deleteMutatingWebhookConfiguration({ name: MUTATING_WEBHOOK_NAME }),
      ...owned.map((c) => admission.deleteValidatingWebhookConfiguration({ name: c.metadata!.name! })),
    ];
    for (const r of await Promise.allSettled(deletions)) {
      if (r.status === 'rejected' && !isNotFound(r.reason)) throw r.reason;
    }
  };
  const launch = async (): Promise<{ proc: Managed; webhookBase: string; metricsUrl: string }> => {
    const [port, healthPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const proc = startProcess('gatekeeper', toolPath('gatekeeper'), [
      '--debug-use-fake-pod',
      '--disable-cert-rotation',
      `--cert-dir=${certDir}`,
      '--host=127.0.0.1',
      `--port=${port}`,
      `--health-addr=127.0.0.1:${healthPort}`,
      `--prometheus-port=${metricsPort}`,
      `--exempt-namespace=${GATEKEEPER_NAMESPACE}`,
      '--operation=webhook',
      '--operation=audit',
      '--operation=status',
      // 'generate' is the operation that creates constraint CRDs from templates (v3.2x); without it
      // templates are ingested but their constraint kinds never exist.
      '--operation=generate',
      // The chart's default (disableMutation: false): Assign, AssignMetadata, ModifySet, AssignImage.
      '--operation=mutation-webhook',
      '--audit-interval=10',
      `--api-cache-dir=${auditDir}`,
      '--shutdown-delay=0',
      // External data (D8VerifyImageSignatures): Gatekeeper calls Providers with its webhook
      // certificate as the client certificate (mTLS), so certs.ts gives it clientAuth too.
      '--enable-external-data=true',
      '--disable-opa-builtin={http.send}',
      '--default-create-vap-for-templates=false',
      '--default-create-vap-binding-for-constraints=false',
      '--log-denies=true',
      // The flags README asks for (`kubectl get events` shows violations): audit and dry-run/warn
      // admission violations as Events in the violating object's namespace.
      '--emit-audit-events=true',
      '--audit-events-involved-namespace=true',
      '--emit-admission-events=true',
      '--admission-events-involved-namespace=true',
      ...(opts.args ?? []),
    ], join(cp.dir, 'gatekeeper.log'), { KUBECONFIG: cp.kubeconfigPath, POD_NAMESPACE: GATEKEEPER_NAMESPACE });
    const webhookBase = `https://127.0.0.1:${port}`;
    try {
      await waitFor('Gatekeeper /readyz', async () => {
        const res = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
        return res.status === 200;
      }, 120000, [proc]);
      if (opts.registerWebhook !== false) {
        const api = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
        const caBundle = readFileSync(cp.pki.caCert).toString('base64');
        await ssaApply(api, validatingWebhookConfiguration(webhookBase, caBundle) as KubernetesObject, 'ape-test-bed');
        await ssaApply(api, mutatingWebhookConfiguration(webhookBase, caBundle) as KubernetesObject, 'ape-test-bed');
      }
    } catch (err) {
      await removeWebhook().catch(() => undefined);
      await proc.stop();
      throw err;
    }
    return { proc, webhookBase, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
  };
  const first = await launch();
  let running = true;
  const gk: Gatekeeper = {
    process: first.proc,
    webhookBase: first.webhookBase,
    metricsUrl: first.metricsUrl,
    logTail: (lines) => gk.process.tail(lines),
    async stop() {
      await removeWebhook();
      await gk.process.stop();
      running = false;
    },
    async start() {
      if (running) return;
      const next = await launch();
      gk.process = next.proc;
      gk.webhookBase = next.webhookBase;
      gk.metricsUrl = next.metricsUrl;
      running = true;
    },
  };
  return gk;
}
