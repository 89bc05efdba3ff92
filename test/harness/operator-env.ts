// A cluster for operator tests: control plane (with a write audit log), Gatekeeper, our CRDs, the
// operator's RBAC from manifests/ and a kubeconfig for its ServiceAccount user, so every test runs
// the operator with exactly the permissions it ships with.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startOperator, type Operator } from '../../src/cli/run.js';
import { makeLogger } from '../../src/util/log.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { GATEKEEPER_NAMESPACE, startGatekeeper, type Gatekeeper } from './gatekeeper.js';
import { waitFor } from './processes.js';
import { eventually, ssaApply, operatorClient } from '../helpers/kube.js';
import type { ImageVerifierOptions } from '../../src/reconcile/image-verifier.js';

export const OPERATOR_USER = 'system:serviceaccount:d8-system:admission-policy-engine';

export interface OperatorEnv {
  cp: ControlPlane;
  gk: Gatekeeper;
  operatorKc: KubeConfig;
  startOperator(identity?: string, opts?: { resyncMs?: number; exceptionStatusMs?: number; imageVerifier?: ImageVerifierOptions }): Promise<Operator>;
  stop(): Promise<void>;
}

function yamlObjects(path: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as KubernetesObject).filter((o) => o?.kind);
}

export async function installCrds(cp: ControlPlane): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
  const dir = join(packageRoot(), 'crds');
  const crds = readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => yamlObjects(join(dir, f)));
  for (const crd of crds) await ssaApply(api, crd, 'ape-test-bed');
  const ext = cp.kubeConfig.makeApiClient(ApiextensionsV1Api);
  await waitFor('our CRDs established', async () => {
    for (const crd of crds) {
      const got = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      if (!got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return false;
    }
    return true;
  }, 30000);
}

export async function startOperatorEnv(): Promise<OperatorEnv> {
  const cp = await startControlPlane({ auditWrites: true });
  let gk: Gatekeeper | undefined;
  const operators: Operator[] = [];
  try {
    gk = await startGatekeeper(cp);
    await installCrds(cp);
    const core = cp.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'd8-system' } } });
    const api = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
    const rbac = yamlObjects(join(packageRoot(), 'manifests/rbac.yaml'));
    for (const obj of rbac) await ssaApply(api, obj, 'ape-test-bed');
    const operatorKc = cp.kubeConfigFor(OPERATOR_USER);
    const logger = makeLogger(process.env.APE_TEST_LOG_LEVEL ?? 'error');
    return {
      cp, gk, operatorKc,
      async startOperator(identity = 'op-1', opts = {}) {
        const op = await startOperator({
          client: operatorClient(operatorKc), logger, namespace: 'd8-system', gatekeeperNamespace: GATEKEEPER_NAMESPACE,
          leaseName: 'admission-policy-engine', identity, httpHost: '127.0.0.1', httpPort: 0,
          resyncMs: opts.resyncMs ?? 60_000, debounceMs: 50, exceptionStatusMs: opts.exceptionStatusMs, imageVerifier: opts.imageVerifier,
          lease: { durationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 0.5 },
        });
        operators.push(op);
        return op;
      },
      async stop() {
        for (const op of operators) await op.stop().catch(() => undefined);
        await gk?.stop();
        await cp.stop();
      },
    };
  } catch (err) {
    await gk?.stop().catch(() => undefined);
    await cp.stop();
    throw err;
  }
}

/** Waits until the operator is ready and a full reconcile found nothing to do (no writes, no waits, no failures). */
export async function waitConverged(op: Operator, timeoutMs = 120000): Promise<void> {
  try {
    await eventually('operator converged', async () => {
      await op.controller.settled();
      const r = op.controller.report;
      return op.controller.ready && r && !r.skipped && r.waiting === 0 && r.failed.length === 0 && r.writes === 0 ? true : undefined;
    }, timeoutMs, 250);
  } catch (err) {
    // Say what the last reconcile still did or waited on: a bare timeout hides the cause.
    const r = op.controller.report;
    const last = r ? { ready: op.controller.ready, skipped: r.skipped, writes: r.writes, waiting: r.waiting, failed: r.failed.slice(0, 5), actions: r.actions.slice(0, 10) } : { ready: op.controller.ready, report: 'none' };
    throw new Error(`${(err as Error).message}; last reconcile: ${JSON.stringify(last)}`, { cause: err });
  }
}
