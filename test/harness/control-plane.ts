// A real Kubernetes control plane for tests: etcd + kube-apiserver on free loopback ports,
// generated certificates, RBAC authorization and an admin kubeconfig. No kubelet, no
// controller-manager (namespaces never finish terminating: use a fresh namespace per test).
import { existsSync, readFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { toolPath } from '../helpers/tools.js';
import { makePki, makeClientCert, type Pki } from './certs.js';
import { freePort, startProcess, waitFor, type Managed } from './processes.js';

export interface ControlPlane {
  dir: string;
  server: string;
  pki: Pki;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** A KubeConfig authenticating as `user` (client certificate), for RBAC tests. */
  kubeConfigFor(user: string, groups?: string[]): KubeConfig;
  /** Stops and starts kube-apiserver on the same port and etcd (state kept). */
  restartApiServer(): Promise<void>;
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  logTails(): string;
  /** Write requests recorded so far (requires `auditWrites`), optionally only those by `user`. */
  auditWrites(user?: string): AuditEvent[];
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Extra kube-apiserver flags, e.g. `--min-request-timeout=20` to make watches end often. */
  apiServerArgs?: string[];
  /** Write an audit log of every write request (create/update/patch/delete), for counting writes. */
  auditWrites?: boolean;
}

export interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; name?: string; namespace?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
  stage: string;
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
  - level: Metadata
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: None
`;

function httpsOk(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

function kubeconfigObject(server: string, caCert: string, cert: string, key: string, user: string): Record<string, unknown> {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(cert), 'client-key-data': b64(key) } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user } }],
    'current-context': 'test',
  };
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'ape-cp-'));
  const procs: Managed[] = [];
  try {
    const pki = makePki(dir);
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    mkdirSync(join(dir, 'apiserver'));
    const etcd = startProcess('etcd', toolPath('etcd'), [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ], join(dir, 'etcd.log'));
    procs.push(etcd);
    await waitFor('etcd health', async () => {
      const res = await fetch(`http://127.0.0.1:${etcdClient}/health`);
      const body = (await res.json()) as { health?: string };
      return body.health === 'true';
    }, 30000, [etcd]);

    const server = `https://127.0.0.1:${apiPort}`;
    const ca = readFileSync(pki.caCert);
    const apiArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--cert-dir=${join(dir, 'apiserver')}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-issuer=${server}/`,
      `--service-account-key-file=${pki.saKey}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      ...(opts.auditWrites ? [`--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${join(dir, 'audit.log')}`, '--audit-log-format=json', '--audit-log-mode=blocking'] : []),
      ...(opts.apiServerArgs ?? []),
    ];
    if (opts.auditWrites) writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
    let apiserver: Managed | undefined;
    const startApiServer = async (): Promise<void> => {
      apiserver = startProcess('kube-apiserver', toolPath('kube-apiserver'), apiArgs, join(dir, 'kube-apiserver.log'));
      procs.push(apiserver);
      await waitFor('kube-apiserver /readyz', () => httpsOk(`${server}/readyz`, ca), 90000, [etcd, apiserver]);
    };
    const stopApiServer = async (): Promise<void> => {
      if (apiserver) await apiserver.stop();
    };
    await startApiServer();

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfigPath, stringify(kubeconfigObject(server, pki.caCert, pki.adminCert, pki.adminKey, 'admin')));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);

    const logTails = () => [etcd, apiserver!].map((p) => `--- ${p.name} (${p.logFile}) ---\n${p.tail(30)}`).join('\n');
    return {
      dir,
      server,
      pki,
      kubeconfigPath,
      kubeConfig,
      kubeConfigFor(user, groups = []) {
        const { cert, key } = makeClientCert(pki, user, groups);
        const path = join(dir, `${user.replace(/[^a-zA-Z0-9]/g, '_')}.kubeconfig`);
        writeFileSync(path, stringify(kubeconfigObject(server, pki.caCert, cert, key, user)));
        const kc = new KubeConfig();
        kc.loadFromFile(path);
        return kc;
      },
      startApiServer,
      stopApiServer,
      async restartApiServer() {
        await stopApiServer();
        await startApiServer();
      },
      logTails,
      auditWrites(user) {
        if (!opts.auditWrites) throw new Error('control plane started without auditWrites');
        const path = join(dir, 'audit.log');
        if (!existsSync(path)) return [];
        return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent)
          .filter((e) => e.stage === 'ResponseComplete' && (user === undefined || e.user.username === user));
      },
      async stop() {
        for (const p of [...procs].reverse()) await p.stop();
        if (!process.env.APE_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const p of [...procs].reverse()) await p.stop();
    throw err;
  }
}
