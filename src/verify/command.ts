// `admission-policy-engine verify`: the image signature verification service, a Gatekeeper
// external data provider. See src/verify/README.md.
import { parseCommandLine, UsageError } from '../util/args.js';
import { makeLogger } from '../util/log.js';
import { closeIdleConnections } from './http.js';
import { VerifyMetrics } from './metrics.js';
import { MUTATE_PATH, PROVIDER_PATH, startVerifyServer } from './server.js';
import { Verifier } from './verifier.js';

export const verifyUsage = `Usage: admission-policy-engine verify [flags]

Serves cosign image signature verification to Gatekeeper as an external data
provider: POST ${PROVIDER_PATH} over HTTPS with mutual TLS (TLS 1.3; the client
certificate must chain to --client-ca). Keys are <policy>[@<revision>]|<image>.
POST ${MUTATE_PATH} pins images covered by a policy reference to the digest their
tag resolves to (for a Gatekeeper mutator with external data).
Files are polled and reloaded when their content changes.

      --config <file>            verifier configuration (JSON, written by the operator) [required]
      --tls-cert <file>          serving certificate (PEM) [required]
      --tls-key <file>           serving key (PEM) [required]
      --client-ca <file>         CA of Gatekeeper's client certificate (PEM) [required]
      --addr <host:port>         provider endpoint (default 0.0.0.0:8443)
      --http-addr <host:port>    /healthz, /readyz, /metrics, /revisions (default 0.0.0.0:8080)
      --budget-ms <ms>           answer within this; keep below the Provider timeout (default 1500)
      --cache-ttl <seconds>      positive verdicts (default 300)
      --negative-ttl <seconds>   negative verdicts (default 60)
      --tag-ttl <seconds>        tag -> digest resolutions (default 30)
      --concurrency <n>          registry requests in flight (default 16)
      --reload-interval <ms>     file polling period (default 2000)
      --log-level <level>        error, warn, info, debug (default info)
`;

function hostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`${flag} must be <host>:<port>`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1') || '0.0.0.0', port: Number(m[2]) };
}

function positive(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    config: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'client-ca': { type: 'string' },
    addr: { type: 'string' },
    'http-addr': { type: 'string' },
    'budget-ms': { type: 'string' },
    'cache-ttl': { type: 'string' },
    'negative-ttl': { type: 'string' },
    'tag-ttl': { type: 'string' },
    concurrency: { type: 'string' },
    'reload-interval': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(verifyUsage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  for (const f of ['config', 'tls-cert', 'tls-key', 'client-ca'] as const) {
    if (!values[f]) throw new UsageError(`--${f} is required`);
  }
  const addr = hostPort(values.addr ?? '0.0.0.0:8443', '--addr');
  const httpAddr = hostPort(values['http-addr'] ?? '0.0.0.0:8080', '--http-addr');
  const logger = makeLogger(values['log-level'] ?? process.env.LOG_LEVEL ?? 'info', false, 'admission-policy-engine-verify');
  const metrics = new VerifyMetrics(true);
  const verifier = new Verifier({
    budgetMs: positive(values['budget-ms'], '--budget-ms', 1500),
    verdictTtlMs: positive(values['cache-ttl'], '--cache-ttl', 300) * 1000,
    negativeTtlMs: positive(values['negative-ttl'], '--negative-ttl', 60) * 1000,
    tagTtlMs: positive(values['tag-ttl'], '--tag-ttl', 30) * 1000,
    concurrency: Math.floor(positive(values.concurrency, '--concurrency', 16)),
    metrics,
    logger,
  });
  const server = await startVerifyServer({
    verifier, metrics, logger,
    configFile: values.config!, tlsCertFile: values['tls-cert']!, tlsKeyFile: values['tls-key']!, clientCaFile: values['client-ca']!,
    host: addr.host, port: addr.port, healthHost: httpAddr.host, healthPort: httpAddr.port,
    reloadIntervalMs: positive(values['reload-interval'], '--reload-interval', 2000),
  });
  logger.info('verify serving', { port: server.port, healthPort: server.healthPort, path: PROVIDER_PATH, ready: verifier.ready });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  logger.info('verify stopping');
  await server.close();
  closeIdleConnections();
  return 0;
}
