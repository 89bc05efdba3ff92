// `run`: the operator. Caches on every replica; the Lease holder writes. /healthz and /readyz on
// one HTTP port; /metrics there only on loopback, else on its own authenticated listener. SIGTERM/SIGINT: stop reconciling, release the lease, exit.
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KubeClient } from '../kube/client.js';
import type { Assets } from '../compile/assets.js';
import { Controller } from '../reconcile/controller.js';
import { packageAssets } from './assets.js';
import { KubeEvents } from '../reconcile/events.js';
import { ExceptionStatusReporter } from '../reconcile/exception-usage.js';
import { Metrics } from '../reconcile/metrics.js';
import { LeaderElector } from '../kube/leader.js';
import { DEFAULT_GATEKEEPER_NAMESPACE, PRODUCT_NAME } from '../api/types.js';
import { makeLogger, type Logger } from '../util/log.js';
import { parseCommandLine, UsageError } from '../util/args.js';
import { isLoopback, startMetricsServer } from './metrics-server.js';
import type { ImageVerifierOptions } from '../reconcile/image-verifier.js';

export const runUsage = `Usage: admission-policy-engine run [flags]

Runs the operator: watches OperationPolicy, SecurityPolicy, Namespaces and the
admission-policy-engine ModuleConfig, and keeps Gatekeeper templates, constraints
and Config converged. Replicas elect a leader with a Lease; only the leader writes.

      --kubeconfig <file>            kubeconfig (default: $KUBECONFIG, else in-cluster)
      --namespace <ns>               namespace of the leader Lease (default: $POD_NAMESPACE or d8-system)
      --gatekeeper-namespace <ns>    namespace of Gatekeeper and its Config (default ${DEFAULT_GATEKEEPER_NAMESPACE})
      --lease-name <name>            default admission-policy-engine
      --identity <id>                default: hostname + random suffix
      --http-addr <host:port>        /healthz, /readyz (default 0.0.0.0:8080); also /metrics,
                                     unauthenticated, when bound to loopback (127.0.0.1:<port>)
      --metrics-addr <host:port>     /metrics over HTTPS with Kubernetes authentication and
                                     authorization (TokenReview, SubjectAccessReview: get /metrics);
                                     plain and open when bound to loopback (default: off)
      --resync <seconds>             periodic full resync (default 300)
      --log-level <level>            error, warn, info, debug (default info)
      --image-verifier-url <url>     Provider URL of the image verifier
                                     (default https://ape-image-verifier.<gatekeeper-namespace>.svc:8443/v1/verify)
      --image-verifier-plain-http <host:port,...>
                                     registries the verifier speaks plain HTTP to (mirrors, tests)
`;

export interface OperatorOptions {
  client: KubeClient;
  namespace: string;
  gatekeeperNamespace: string;
  leaseName: string;
  identity: string;
  logger: Logger;
  httpHost?: string;
  httpPort?: number;
  resyncMs?: number;
  lease?: { durationSeconds: number; renewDeadlineSeconds: number; retryPeriodSeconds: number };
  debounceMs?: number;
  watchTimeoutSeconds?: number;
  /** Rego and CRD schemas; default: the package's own. */
  assets?: Assets;
  /** How often SecurityPolicyException usage is recounted; default: the resync period (60 s). */
  exceptionStatusMs?: number;
  /** The /metrics listener (src/cli/metrics-server.ts); none when absent. */
  metricsHost?: string;
  metricsPort?: number;
  /** The image verifier's wiring (Provider, Secrets); absent: none is generated. */
  imageVerifier?: ImageVerifierOptions;
}

export interface Operator {
  controller: Controller;
  elector: LeaderElector;
  metrics: Metrics;
  server: Server;
  port: number;
  /** The /metrics listener, when one was asked for. */
  metricsServer?: { server: Server; port: number; secure: boolean };
  stop(): Promise<void>;
}

/** Starts an operator instance (also used in-process by the integration tests). */
export async function startOperator(o: OperatorOptions): Promise<Operator> {
  const metrics = new Metrics(true);
  const events = new KubeEvents(o.client, PRODUCT_NAME, () => metrics.apiWrites.inc({ verb: 'create', kind: 'Event' }));
  const controller = new Controller({
    client: o.client, logger: o.logger, metrics, events, gatekeeperNamespace: o.gatekeeperNamespace, assets: o.assets ?? packageAssets(),
    resyncMs: o.resyncMs, debounceMs: o.debounceMs, watchTimeoutSeconds: o.watchTimeoutSeconds, imageVerifier: o.imageVerifier,
  });
  const render = async () => ({ text: await metrics.registry.metrics(), contentType: metrics.registry.contentType });
  // /metrics beside the probes only on loopback: anything else goes through the secure listener.
  const openMetrics = isLoopback(o.httpHost ?? '0.0.0.0');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200).end('ok');
    } else if (path === '/readyz') {
      const ready = controller.ready;
      res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : 'not ready');
    } else if (path === '/metrics' && openMetrics) {
      render().then(
        ({ text, contentType }) => res.writeHead(200, { 'Content-Type': contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.httpPort ?? 8080, o.httpHost ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const metricsServer = o.metricsPort === undefined ? undefined
    : await startMetricsServer({ host: o.metricsHost ?? '0.0.0.0', port: o.metricsPort, client: o.client, logger: o.logger, render });

  let leading = false;
  const exceptionStatus = new ExceptionStatusReporter({
    client: o.client, logger: o.logger, metrics, isLeader: () => leading, periodMs: o.exceptionStatusMs ?? o.resyncMs ?? 60_000,
  });
  const elector = new LeaderElector(o.client, {
    namespace: o.namespace,
    name: o.leaseName,
    identity: o.identity,
    leaseDurationSeconds: o.lease?.durationSeconds,
    renewDeadlineSeconds: o.lease?.renewDeadlineSeconds,
    retryPeriodSeconds: o.lease?.retryPeriodSeconds,
    onStartedLeading: () => {
      o.logger.info(`${o.identity} is the leader`);
      leading = true;
      controller.setLeader(true);
    },
    onStoppedLeading: () => {
      o.logger.info(`${o.identity} stopped leading`);
      leading = false;
      controller.setLeader(false);
    },
    onNewLeader: (id) => o.logger.info(`leader is ${id}`),
    log: (level, msg) => o.logger.log(level, msg),
  });
  await controller.start();
  elector.start();
  exceptionStatus.start();
  o.logger.info('caches synced; operator running');
  return {
    controller, elector, metrics, server, port, metricsServer,
    async stop() {
      // Stop writing first, then hand the lease over, then stop watching.
      controller.setLeader(false);
      leading = false;
      await exceptionStatus.stop();
      await elector.stop();
      await controller.stop();
      await new Promise<void>((r) => server.close(() => r()));
      if (metricsServer) await new Promise<void>((r) => metricsServer.server.close(() => r()));
    },
  };
}

export async function runCommand(argv: string[]): Promise<number> {
  // Every flag takes one value; given twice, the last one counts.
  const { values, positionals } = parseCommandLine(argv, {
    kubeconfig: { type: 'string' }, namespace: { type: 'string' }, 'gatekeeper-namespace': { type: 'string' }, 'lease-name': { type: 'string' },
    identity: { type: 'string' }, 'http-addr': { type: 'string' }, 'metrics-addr': { type: 'string' }, resync: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    'image-verifier-url': { type: 'string' }, 'image-verifier-plain-http': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(runUsage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; run takes flags only`);
  const one = (k: Exclude<keyof typeof values, 'help'>) => values[k];
  const logger = makeLogger(one('log-level') ?? process.env.LOG_LEVEL ?? 'info');
  const kubeconfig = one('kubeconfig') ?? process.env.KUBECONFIG;
  const client = kubeconfig ? KubeClient.fromKubeconfigFile(kubeconfig.split(':')[0]) : KubeClient.inCluster();
  const addr = one('http-addr') ?? '0.0.0.0:8080';
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) throw new UsageError(`--http-addr must be host:port, not ${addr}`);
  const metricsAddr = one('metrics-addr');
  const mm = metricsAddr === undefined ? undefined : /^(.*):(\d+)$/.exec(metricsAddr);
  if (metricsAddr !== undefined && !mm) throw new UsageError(`--metrics-addr must be host:port, not ${metricsAddr}`);
  const resync = Number(one('resync') ?? '300');
  if (!Number.isFinite(resync) || resync < 10) throw new UsageError('--resync must be a number of seconds >= 10');
  const gatekeeperNamespace = one('gatekeeper-namespace') ?? DEFAULT_GATEKEEPER_NAMESPACE;
  const plainHttp = (one('image-verifier-plain-http') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const op = await startOperator({
    client, logger,
    namespace: one('namespace') ?? process.env.POD_NAMESPACE ?? 'd8-system',
    // The verifier runs beside Gatekeeper: it mounts Gatekeeper's webhook CA (its client CA) from there.
    imageVerifier: { namespace: gatekeeperNamespace, url: one('image-verifier-url'), plainHttpRegistries: plainHttp },
    gatekeeperNamespace,
    leaseName: one('lease-name') ?? PRODUCT_NAME,
    identity: one('identity') ?? `${hostname()}-${randomBytes(3).toString('hex')}`,
    httpHost: m[1] || '0.0.0.0', httpPort: Number(m[2]), resyncMs: resync * 1000,
    ...(mm ? { metricsHost: mm[1] || '0.0.0.0', metricsPort: Number(mm[2]) } : {}),
  });
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info(`${signal}: shutting down`);
      op.stop().then(() => resolve(0), (err: unknown) => {
        logger.error(`shutdown: ${String(err)}`);
        resolve(1);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
