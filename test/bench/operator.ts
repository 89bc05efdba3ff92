// The operator at scale, as users run it: the built CLI as a separate process against the real test
// bed (etcd + kube-apiserver with a write audit log, the real Gatekeeper manager), with the shipped
// RBAC and the operator's own kubeconfig. Two test beds, one after the other:
//
//  A. small cluster: idle memory, then convergence latency over N changes (create a policy, wait
//     until Gatekeeper enforces it, delete it, wait until its constraints are gone), one at a time
//     so each latency is a change's own and not a queue's.
//  B. a fresh cluster with P policies and N namespaces created before the operator starts: cold
//     start to converged, memory, writes at rest over 3 resync periods, then a restart that must
//     converge without writing.
//
// Everything is observed from outside the operator: a watch on every constraint kind (timestamps),
// the API server's audit log (who wrote what, server clock), /readyz, /metrics, /proc/<pid>/status.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { OPERATOR_USER, startOperatorEnv, type OperatorEnv } from '../harness/operator-env.js';
import { GATEKEEPER_NAMESPACE } from '../harness/gatekeeper.js';
import { matchNames, matchNamespaceLabels } from '../helpers/policies.js';
import { Api, type Obj } from './api.js';
import type { Cleanup } from './cleanup.js';
import { benchNamespace, benchOperationPolicy, benchPolicy, benchSecurityPolicy, constraintKeys, desiredFor } from './inputs.js';
import { AuditTail, ConstraintObserver, describeWrites, type AuditRecord, type Tracker } from './observe.js';
import { bedProcesses, cpuSnapshot, deploymentNodeOptions, nodeBaseline, readLog, startOperatorProcess, type Memory, type OperatorMetrics, type OperatorProcess } from './operator-process.js';
import { dist, line, mib, ms, pool, sleep, summarize, target } from './stats.js';

export interface OperatorBenchOptions {
  scaleName: string;
  policies: number;
  namespaces: number;
  changes: number;
  /** Requests in flight while creating the inputs at scale. */
  concurrency: number;
  resyncSeconds: number;
  logLevel: string;
  /** Write a V8 CPU profile of each operator process here. */
  cpuProfDir?: string;
  convergeTimeoutMs: number;
}

const LATENCY_NS = 'bench-latency';
/** The test bed's admin (client certificate CN): the bench creates policies as this user. */
const ADMIN_USER = 'admin';
const API_GROUP_PATH = '/apis/deckhouse.io/v1alpha1';
const FULL = { policies: 1000, namespaces: 10000 };
/** How long the scale run waits for Gatekeeper's first audit of every constraint before the rest window. */
const AUDIT_WAIT_MS = 120_000;

/** A Pod that breaks every latency policy: a repo outside the allowed one, `:latest`, no probes, privileged. */
const violatingPod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-probe', namespace: LATENCY_NS },
  spec: { containers: [{ name: 'app', image: 'nginx:latest', securityContext: { privileged: true } }] },
};

const plural = (kind: string) => (kind === 'SecurityPolicy' ? 'securitypolicies' : 'operationpolicies');
const passes = (m: OperatorMetrics) => Object.values(m.reconciles).reduce((a, b) => a + b, 0);
const secs = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v / 1000).toFixed(1)} s`);

interface Bed {
  env: OperatorEnv;
  admin: Api;
  audit: AuditTail;
  observer: ConstraintObserver;
  kubeconfig: string;
  stop(): Promise<void>;
}

/** The test bed of test/harness (control plane with a write audit log, Gatekeeper, our CRDs, the shipped RBAC). */
async function startBed(cleanup: Cleanup, label: string): Promise<Bed> {
  const t = Date.now();
  const env = await startOperatorEnv();
  const stopEnv = cleanup.add(`test bed ${label}`, () => env.stop());
  const admin = await Api.from(env.cp.kubeConfig);
  const observer = new ConstraintObserver(admin);
  const stopObserver = cleanup.add(`observer ${label}`, () => {
    observer.stop();
    admin.close();
    return Promise.resolve();
  });
  observer.start();
  // The operator's kubeconfig as a file, as a user passes it: the shipped ServiceAccount's identity.
  const kubeconfig = join(env.cp.dir, 'operator-cli.kubeconfig');
  writeFileSync(kubeconfig, env.operatorKc.exportConfig());
  console.log(`  test bed ${label} up in ${secs(Date.now() - t)} (${env.cp.dir})`);
  return {
    env, admin, observer, kubeconfig, audit: new AuditTail(join(env.cp.dir, 'audit.log'), OPERATOR_USER, { user: ADMIN_USER, resources: ['securitypolicies', 'operationpolicies'] }),
    async stop() {
      await stopObserver();
      await stopEnv();
    },
  };
}

interface Converge {
  ok: boolean;
  reason?: string;
  readyAt?: number;
  allPresentAt?: number;
  /** When two full passes in a row completed without a write. */
  quietAt?: number;
  /** The operator's last write (no Lease, no Event) before quiet, server clock. */
  lastWriteAt?: number;
  /** max(ready, every expected constraint present, last write). */
  convergedAt?: number;
  writes: AuditRecord[];
  events: AuditRecord[];
  /** The last /metrics scrape. */
  metrics?: OperatorMetrics;
}

/**
 * Waits until the operator is ready, every expected constraint exists, and then two reconcile
 * passes completed without a write (/metrics: the converged-pass counter moved by 2 while the write
 * counter stood still; the second pass started after the first ended, so one whole pass wrote
 * nothing). Converged time is max(ready, all present, last write), so waiting for quiet does not
 * inflate it.
 */
async function waitConverged(op: OperatorProcess, tracker: Tracker, audit: AuditTail, timeoutMs: number): Promise<Converge> {
  const deadline = op.spawnedAt + timeoutMs;
  let readyAt: number | undefined;
  let base: OperatorMetrics | undefined;
  let last: OperatorMetrics | undefined;
  let quietAt: number | undefined;
  let reason: string | undefined;
  let progressAt = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (Date.now() >= progressAt) {
      // A long wait says what it is waiting for.
      progressAt += 30_000;
      console.log(`    ... +${secs(Date.now() - op.spawnedAt)}: ready ${readyAt !== undefined}, constraints present ${tracker.present.size}/${tracker.expected.size}, ` +
        `reconciles ${JSON.stringify(last?.reconciles ?? {})}, operator-counted writes ${last?.writes ?? '?'}, RSS ${mib(op.memory()?.rssKiB)}`);
    }
    const code = op.exitCode();
    if (code !== undefined) {
      reason = `the operator process exited with code ${code}`;
      break;
    }
    // Ready is the start of the current ready streak: a replica is ready before it leads, then
    // not ready until its first converge as the leader.
    if (await op.readyz()) readyAt ??= Date.now();
    else readyAt = undefined;
    const m = await op.metrics();
    if (m) last = m;
    if (readyAt !== undefined && tracker.allPresentAt !== undefined && m) {
      if (!base || m.writes !== base.writes) base = m;
      else if ((m.reconciles.converged ?? 0) >= (base.reconciles.converged ?? 0) + 2) {
        quietAt = Date.now();
        break;
      }
    }
    // 500 ms, not faster: every /metrics scrape costs the operator CPU (prom-client reads /proc/self/fd)
    await sleep(500);
  }
  const writes = audit.writesBetween(op.spawnedAt, quietAt ?? Date.now());
  const events = audit.eventsBetween(op.spawnedAt, quietAt ?? Date.now());
  const lastWriteAt = writes.length ? Math.max(...writes.map((w) => w.at)) : undefined;
  if (quietAt === undefined && !reason) {
    reason = `not converged within ${secs(timeoutMs)}: ready ${readyAt !== undefined}, constraints present ${tracker.present.size}/${tracker.expected.size}, ` +
      `reconciles ${JSON.stringify(last?.reconciles ?? {})}, writes counted by the operator ${last?.writes ?? '?'}`;
  }
  const ok = quietAt !== undefined;
  return {
    ok, reason, readyAt, allPresentAt: tracker.allPresentAt, quietAt, lastWriteAt, writes, events, metrics: last,
    convergedAt: ok ? Math.max(readyAt!, tracker.allPresentAt!, lastWriteAt ?? 0) : undefined,
  };
}

interface CpuMark {
  at: number;
  cpu: Map<string, number>;
}

/** CPU used so far by the operator and the test bed's processes. */
function cpuMark(bed: Bed, op: OperatorProcess): CpuMark {
  return { at: Date.now(), cpu: cpuSnapshot([...bedProcesses(bed.env.cp.dir), { name: 'operator', pid: op.pid }]) };
}

/** Who used the two cores between two marks: tells "the operator was busy" from "it was waiting". */
function cpuLine(label: string, a: CpuMark, b: CpuMark): void {
  const wall = (b.at - a.at) / 1000;
  const parts = [...b.cpu].map(([name, v]) => [name, v - (a.cpu.get(name) ?? 0)] as const).sort((x, y) => y[1] - x[1])
    .map(([name, v]) => `${name} ${v.toFixed(1)} s`);
  line(label, `${parts.join(', ')} in ${wall.toFixed(1)} s wall (machine load ${(os.loadavg()[0] ?? 0).toFixed(1)} on ${os.cpus().length} CPUs)`);
}

function describeFailure(op: OperatorProcess, c: Converge): void {
  console.log(`  !! ${c.reason}`);
  const bad = readLog(op.logFile).filter((l) => l.level === 'error' || l.level === 'warn');
  if (bad.length) {
    console.log(`  !! ${bad.length} warn/error log lines; the last ones:`);
    for (const l of bad.slice(-5)) console.log(`     ${l.level}: ${l.message.slice(0, 300)}`);
  }
  console.log(`  !! operator log tail (${op.logFile}):\n${op.logTail(15).split('\n').map((l) => `     ${l.slice(0, 300)}`).join('\n')}`);
}

/** Samples the operator's memory every 500 ms: the series shows growth, VmHWM the peak. */
class MemorySampler {
  readonly samples: { at: number; op: string; mem: Memory }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private op: OperatorProcess | undefined;

  follow(op: OperatorProcess): void {
    this.op = op;
    this.timer ??= setInterval(() => {
      const mem = this.op?.memory();
      if (this.op && mem) this.samples.push({ at: Date.now(), op: this.op.name, mem });
    }, 500);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** About `points` evenly spaced samples of one process, as "+t: rss" text. */
  series(op: OperatorProcess, points = 12): string {
    const s = this.samples.filter((x) => x.op === op.name);
    if (s.length === 0) return 'no samples';
    const step = Math.max(1, Math.floor(s.length / points));
    const picked = s.filter((_, i) => i % step === 0 || i === s.length - 1);
    return picked.map((x) => `+${((x.at - op.spawnedAt) / 1000).toFixed(0)}s ${(x.mem.rssKiB / 1024).toFixed(0)}`).join(', ') + ' (MiB)';
  }
}

/** Memory of the operator now, with the JS heap split from its /metrics (what RSS is made of). */
async function memNow(op: OperatorProcess): Promise<Memory & { detail?: string }> {
  const m = await op.metrics();
  const mem = op.memory() ?? { rssKiB: NaN, hwmKiB: NaN };
  const b = (v: number | undefined) => mib(v === undefined ? undefined : v / 1024);
  return { ...mem, detail: m?.heapUsed !== undefined ? `JS heap ${b(m.heapUsed)} used of ${b(m.heapTotal)}, external ${b(m.external)}` : undefined };
}

function memLine(label: string, mem: (Memory & { detail?: string }) | undefined, limitMiB: number | undefined, note = ''): void {
  const value = `VmRSS ${mib(mem?.rssKiB).padStart(10)}  (VmHWM ${mib(mem?.hwmKiB)}${mem?.detail ? `; ${mem.detail}` : ''})`;
  if (limitMiB === undefined) return line(label, value);
  const met = mem && Number.isFinite(mem.rssKiB) ? mem.rssKiB / 1024 <= limitMiB : undefined;
  line(label, value, target(label, mib(mem?.rssKiB), `<= ${limitMiB} MiB${note}`, met));
}

async function probeDenied(api: Api, policyName: string, deadline: number): Promise<number | undefined> {
  // Dry-run creates go through the admission webhooks and persist nothing. Gatekeeper names the
  // constraints that denied a request as `[name]`; PSS baseline also denies this Pod, so only our
  // policy's name counts.
  while (Date.now() < deadline) {
    const res = await api.request('POST', `/api/v1/namespaces/${LATENCY_NS}/pods?dryRun=All`, violatingPod);
    if (res.status >= 400 && res.body.includes(`[${policyName}]`)) return Date.now();
    await sleep(25);
  }
  return undefined;
}

interface Change {
  kind: string;
  constraints: number;
  /** The bench's create request: sent -> completed on the server (Gatekeeper's webhook included). */
  createRequest?: number;
  /** Policy created -> the operator's first constraint write arrived at the API server (audit log). */
  reaction?: number;
  written?: number;
  writtenAudit?: number;
  enforced?: number;
  denied?: number;
  gone?: number;
}

async function latencyPhase(bed: Bed, op: OperatorProcess, changes: number): Promise<void> {
  const namespaces = await bed.admin.list('/api/v1/namespaces');
  const base = constraintKeys(desiredFor([], [], namespaces, GATEKEEPER_NAMESPACE));
  const results: Change[] = [];
  const writeLatencies: number[] = [];
  const m0 = await op.metrics();
  const cpu0 = cpuMark(bed, op);
  // Bounded: a step that times out 3 times is not waited for again (and 3 changes in a row
  // without their constraints end the phase), so a broken operator or Gatekeeper costs a minute or
  // two, not 50 x 20 s.
  let enforceTimeoutMs = 20_000;
  let enforceMisses = 0;
  let probeTimeoutMs = 20_000;
  let probeMisses = 0;
  let writeMissesInARow = 0;
  const t = Date.now();
  for (let k = 0; k < changes; k++) {
    const isOp = k % 2 === 0;
    const i = k >> 1;
    const p = isOp
      ? benchOperationPolicy(i, matchNames(LATENCY_NS), `lat-op-${i}`)
      : benchSecurityPolicy(i, matchNamespaceLabels({ team: 'latency' }), `lat-sp-${i}`);
    const name = p.metadata.name;
    const keys = new Set([...constraintKeys(desiredFor(isOp ? [] : [p as Obj], isOp ? [p as Obj] : [], namespaces, GATEKEEPER_NAMESPACE))].filter((x) => !base.has(x)));
    const tracker = bed.observer.track(keys);
    const r: Change = { kind: p.kind, constraints: keys.size };
    const tSend = Date.now();
    await bed.admin.must('POST', `${API_GROUP_PATH}/${plural(p.kind)}`, p);
    // "Created" is when the API server completed the create (audit log, same clock as ours): the
    // create's own trip through Gatekeeper's webhook is not the operator's latency.
    const created = bed.audit.find(tSend, (x) => x.user === ADMIN_USER && x.verb === 'create' && x.resource === plural(p.kind) && x.name === name);
    const t0 = created?.at ?? tSend;
    if (created) r.createRequest = created.at - tSend;
    const denied = probeTimeoutMs > 0 ? probeDenied(bed.admin, name, t0 + probeTimeoutMs) : Promise.resolve(undefined);
    await tracker.until((x) => x.allPresentAt !== undefined, 20_000);
    writeMissesInARow = tracker.allPresentAt === undefined ? writeMissesInARow + 1 : 0;
    if (enforceTimeoutMs > 0) {
      if (!(await tracker.until((x) => x.allEnforcedAt !== undefined, enforceTimeoutMs))) enforceMisses += 1;
      // Gatekeeper's status reports may be off: after 3 misses, stop waiting for them (the Pod probe remains).
      if (enforceMisses >= 3) enforceTimeoutMs = 0;
    }
    const deniedAt = await denied;
    if (probeTimeoutMs > 0 && deniedAt === undefined && ++probeMisses >= 3) probeTimeoutMs = 0;
    if (tracker.allPresentAt !== undefined) r.written = tracker.allPresentAt - t0;
    if (tracker.allEnforcedAt !== undefined) r.enforced = tracker.allEnforcedAt - t0;
    if (deniedAt !== undefined) r.denied = deniedAt - t0;
    // The audit log has the server's completion time of each of the operator's constraint writes.
    const firstWrite = new Map<string, AuditRecord>();
    for (const w of bed.audit.writesBetween(t0)) {
      if (w.group !== 'constraints.gatekeeper.sh' || !w.name) continue;
      for (const key of keys) {
        const [kind, n] = key.split('/');
        if (w.resource === kind.toLowerCase() && w.name === n && !firstWrite.has(key)) {
          firstWrite.set(key, w);
          writeLatencies.push(w.at - w.receivedAt);
        }
      }
    }
    const fw = [...firstWrite.values()];
    if (fw.length === keys.size && keys.size > 0) r.writtenAudit = Math.max(...fw.map((w) => w.at)) - t0;
    if (fw.length > 0) r.reaction = Math.min(...fw.map((w) => w.receivedAt)) - t0;

    const tDelSend = Date.now();
    await bed.admin.must('DELETE', `${API_GROUP_PATH}/${plural(p.kind)}/${name}`, undefined, [404]);
    const tDel = bed.audit.find(tDelSend, (x) => x.user === ADMIN_USER && x.verb === 'delete' && x.resource === plural(p.kind) && x.name === name)?.at ?? tDelSend;
    await tracker.until((x) => x.present.size === 0, 20_000);
    if (tracker.present.size === 0) r.gone = (tracker.allGoneAt ?? Date.now()) - tDel;
    bed.observer.untrack(tracker);
    results.push(r);
    if (op.exitCode() !== undefined) {
      console.log(`  !! the operator exited with code ${op.exitCode()} during change ${k + 1}`);
      break;
    }
    if ((k + 1) % 10 === 0 && k + 1 < changes) console.log(`    ... ${k + 1}/${changes} changes, +${secs(Date.now() - t)}`);
    if (writeMissesInARow >= 3) {
      console.log(`  !! ${writeMissesInARow} changes in a row without all their constraints within 20 s: latency phase stopped after ${k + 1} changes`);
      break;
    }
  }

  const kinds = [...new Set(results.map((r) => `${r.kind} (${r.constraints} constraints)`))];
  console.log(`\n  convergence latency: ${results.length} changes in ${secs(Date.now() - t)}, one at a time; ${kinds.join(', ')}`);
  const pick = (f: (r: Change) => number | undefined, rs = results) => rs.map(f).filter((v): v is number => v !== undefined);
  const missing = (f: (r: Change) => number | undefined) => results.length - pick(f).length;
  const note = (f: (r: Change) => number | undefined) => (missing(f) ? `  [${missing(f)} of ${results.length} never happened within 20 s]` : '');
  const written = summarize(pick((r) => r.written));
  const enforced = summarize(pick((r) => r.enforced));
  line('policy created -> constraints written (watch)', dist(written),
    target('created -> constraint written p95', ms(written.p95), '<= 200 ms', written.n && !missing((r) => r.written) ? written.p95 <= 200 : undefined) + note((r) => r.written));
  line('policy created -> enforced (status.byPod enforced)', dist(enforced),
    target('created -> enforced p95', ms(enforced.p95), '<= 1.5 s', enforced.n && !missing((r) => r.enforced) ? enforced.p95 <= 1500 : undefined) + note((r) => r.enforced));
  line('policy created -> violating Pod denied (webhook)', dist(summarize(pick((r) => r.denied))) + note((r) => r.denied));
  line('policy deleted -> constraints gone (watch)', dist(summarize(pick((r) => r.gone))) + note((r) => r.gone));
  line('  operator share (created -> written)', dist(written));
  line('  Gatekeeper share (written -> enforced)', dist(summarize(pick((r) => (r.enforced !== undefined && r.written !== undefined ? r.enforced - r.written : undefined)))));
  console.log('  inside the operator share (audit log, server clock; "created" = the create completed on the server):');
  line('    created -> operator\'s first write arrives', dist(summarize(pick((r) => r.reaction))));
  line('    created -> last constraint write completed', dist(summarize(pick((r) => r.writtenAudit))));
  line('    API time per constraint write (incl. GK webhook)', dist(summarize(writeLatencies)));
  const m1 = await op.metrics();
  if (m0 && m1 && m1.passCount > m0.passCount) {
    const n = m1.passCount - m0.passCount;
    line('    reconcile passes in the phase (/metrics)', `${n}, mean ${ms(((m1.passSeconds - m0.passSeconds) / n) * 1000)} each, ${ms((m1.passSeconds - m0.passSeconds) * 1000)} in all`);
  }
  cpuLine('    CPU used in the phase', cpu0, cpuMark(bed, op));
  line('    (the bench\'s own create request: sent -> done)', dist(summarize(pick((r) => r.createRequest))));
  for (const kind of ['OperationPolicy', 'SecurityPolicy']) {
    const rs = results.filter((r) => r.kind === kind);
    if (rs.length === 0) continue;
    line(`  ${kind}: written / enforced / denied p95`, `${ms(summarize(pick((r) => r.written, rs)).p95)} / ${ms(summarize(pick((r) => r.enforced, rs)).p95)} / ${ms(summarize(pick((r) => r.denied, rs)).p95)}`);
  }
}

/** Creates the inputs at scale with bounded concurrency; returns how long it took. */
async function createInputs(admin: Api, o: OperatorBenchOptions): Promise<void> {
  const nsT = Date.now();
  await pool(Array.from({ length: o.namespaces }, (_, i) => i), o.concurrency, async (i) => {
    const ns = benchNamespace(i);
    await admin.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: ns.labels } });
  });
  const nsMs = Date.now() - nsT;
  const pT = Date.now();
  await pool(Array.from({ length: o.policies }, (_, i) => i), o.concurrency, async (i) => {
    const p = benchPolicy(i);
    await admin.must('POST', `${API_GROUP_PATH}/${plural(p.kind)}`, p);
  });
  const pMs = Date.now() - pT;
  line(`created ${o.namespaces} namespaces (${o.concurrency} in flight)`, `${secs(nsMs)}  (${(o.namespaces / (nsMs / 1000)).toFixed(0)}/s)`);
  line(`created ${o.policies} policies (${o.concurrency} in flight)`, `${secs(pMs)}  (${(o.policies / (pMs / 1000)).toFixed(0)}/s)`);
}

function coldStartBreakdown(op: OperatorProcess, c: Converge, observer: ConstraintObserver, tracker: Tracker): void {
  const rel = (v: number | undefined) => (v === undefined ? 'n/a' : `+${((v - op.spawnedAt) / 1000).toFixed(1)} s`);
  const log = readLog(op.logFile);
  const find = (re: RegExp) => log.find((l) => re.test(l.message))?.at;
  const tmplWrites = c.writes.filter((w) => w.resource === 'constrainttemplates');
  const cWrites = c.writes.filter((w) => w.group === 'constraints.gatekeeper.sh');
  const sWrites = c.writes.filter((w) => w.subresource === 'status');
  const kindTimes = [...observer.kindsAt.values()].filter((v) => v >= op.spawnedAt);
  const span = (ws: AuditRecord[]) => (ws.length ? `${rel(Math.min(...ws.map((w) => w.at)))} .. ${rel(Math.max(...ws.map((w) => w.at)))}` : 'none');
  console.log('  where the time went (from spawn; log lines, audit log, watch):');
  line('    caches synced (log)', rel(find(/caches synced/)));
  line('    leader (log)', rel(find(/is the leader/)));
  line(`    templates written (${tmplWrites.length})`, span(tmplWrites));
  line(`    constraint kinds established by Gatekeeper (${kindTimes.length})`, kindTimes.length ? `${rel(Math.min(...kindTimes))} .. ${rel(Math.max(...kindTimes))}` : 'none new');
  line(`    constraints written (${cWrites.length})`, span(cWrites));
  line(`    policy status writes (${sWrites.length})`, span(sWrites));
  line('    ready (/readyz 200)', rel(c.readyAt));
  line(`    all ${tracker.expected.size} expected constraints present (watch)`, rel(c.allPresentAt));
  line('    quiet (2 passes without a write)', rel(c.quietAt));
  if (c.metrics?.passCount) line('    reconcile passes until quiet (/metrics)', `${c.metrics.passCount}, ${ms(c.metrics.passSeconds * 1000)} in all, mean ${ms((c.metrics.passSeconds / c.metrics.passCount) * 1000)}; by result ${JSON.stringify(c.metrics.reconciles)}`);
  line('    API time per operator write (incl. GK webhook)', dist(summarize(c.writes.map((w) => w.at - w.receivedAt))));
  line('    operator writes until quiet', `${c.writes.length}: ${describeWrites(c.writes, 6).join(', ')}`);
  const warn = log.filter((l) => l.level === 'warn' || l.level === 'error');
  if (warn.length) line('    warn/error log lines', `${warn.length}, e.g. ${warn[0].message.slice(0, 160)}`);
}

/** SIGTERM, as a rollout does; says so when the operator does not exit 0 on its own. */
async function stopOp(op: OperatorProcess): Promise<void> {
  const t = Date.now();
  const code = await op.stop();
  if (code === 0) return;
  console.log(code === null
    ? `  !! operator ${op.name} did not exit within 30 s of SIGTERM and was killed (so no CPU profile of it)`
    : `  !! operator ${op.name} exited with code ${code} on SIGTERM after ${secs(Date.now() - t)}`);
}

export async function operatorBench(o: OperatorBenchOptions, cleanup: Cleanup): Promise<void> {
  const fullNote = o.policies === FULL.policies && o.namespaces === FULL.namespaces ? '' : ` (at ${FULL.policies} x ${FULL.namespaces}; this run ${o.policies} x ${o.namespaces})`;
  console.log(`\noperator as users run it: \`node dist/src/cli/main.js run --kubeconfig <file> --resync ${o.resyncSeconds}\` as its own process,`);
  console.log('against etcd + kube-apiserver (write audit log) + the Gatekeeper manager (test/harness), shipped RBAC,');
  console.log(`NODE_OPTIONS from manifests/deployment.yaml: ${deploymentNodeOptions() || '(none)'}`);
  const baseline = await nodeBaseline();
  memLine('Node.js baseline (node -e "setInterval(()=>{},1000)")', baseline, undefined);
  const sampler = new MemorySampler();
  cleanup.add('memory sampler', () => Promise.resolve(sampler.stop()));
  const spawnOp = async (bed: Bed, identity: string) => {
    const op = await startOperatorProcess({
      dir: bed.env.cp.dir, kubeconfig: bed.kubeconfig, identity, gatekeeperNamespace: GATEKEEPER_NAMESPACE,
      resyncSeconds: o.resyncSeconds, logLevel: o.logLevel, cpuProfDir: o.cpuProfDir,
    });
    cleanup.add(`operator ${identity}`, () => op.stop());
    sampler.follow(op);
    return op;
  };

  // ---- A: small cluster: idle, then latency.
  console.log('\n[A] small cluster: idle memory and convergence latency');
  const a = await startBed(cleanup, 'A');
  await a.admin.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LATENCY_NS, labels: { team: 'latency' } } });
  {
    const namespaces = await a.admin.list('/api/v1/namespaces');
    const desired = desiredFor([], [], namespaces, GATEKEEPER_NAMESPACE);
    const templates = desired.objects.filter((x) => x.kind === 'ConstraintTemplate').length;
    const op = await spawnOp(a, 'bench-idle');
    const c = await waitConverged(op, a.observer.track(constraintKeys(desired)), a.audit, 180_000);
    if (!c.ok) describeFailure(op, c);
    else {
      line('started -> converged, empty cluster', secs(c.convergedAt! - op.spawnedAt) + `  (ready ${secs(c.readyAt! - op.spawnedAt)}, ${c.writes.length} writes)`);
      // Right after converging, RSS still holds the start-up peak until V8 shrinks its heap, which
      // it does at a GC of its choosing: read it at converge and after one resync period idle.
      memLine('RSS at converge (empty cluster)', await memNow(op), undefined);
      await sleep(o.resyncSeconds * 1000);
      memLine(`RSS idle (empty cluster, ${o.resyncSeconds} s after converge)`, await memNow(op), 80);
      // Every constraint kind watched before the first change, so no change waits for a watch.
      const t = Date.now();
      while (a.observer.watchedKinds().size < templates && Date.now() - t < 30_000) await sleep(100);
      await latencyPhase(a, op, o.changes);
      memLine('RSS after the latency changes', await memNow(op), undefined);
    }
    await stopOp(op);
  }
  await a.stop();

  // ---- B: a fresh cluster at scale.
  console.log(`\n[B] cold start at ${o.policies} policies x ${o.namespaces} namespaces (scale "${o.scaleName}")`);
  const b = await startBed(cleanup, 'B');
  await createInputs(b.admin, o);
  const [sps, ops, namespaces] = await Promise.all([
    b.admin.list(`${API_GROUP_PATH}/securitypolicies`), b.admin.list(`${API_GROUP_PATH}/operationpolicies`), b.admin.list('/api/v1/namespaces'),
  ]);
  const desired = desiredFor(sps, ops, namespaces, GATEKEEPER_NAMESPACE);
  const expected = constraintKeys(desired);
  line('expected (compile() of the same inputs)', `${desired.objects.length} objects, ${expected.size} of them constraints`);
  const t = Date.now();
  while (!b.observer.crdWatchOpen && Date.now() - t < 10_000) await sleep(50);

  const op = await spawnOp(b, 'bench-scale');
  const cpuStart = cpuMark(b, op);
  const tracker = b.observer.track(expected);
  const c = await waitConverged(op, tracker, b.audit, o.convergeTimeoutMs);
  const cpuConverged = cpuMark(b, op);
  if (!c.ok) {
    describeFailure(op, c);
    line('(a) started -> converged', 'n/a', target('cold start: started -> converged', 'n/a', `<= 60 s${fullNote}`, undefined));
    coldStartBreakdown(op, c, b.observer, tracker);
  } else {
    const took = c.convergedAt! - op.spawnedAt;
    line('(a) started -> converged, from an empty cluster', secs(took), target('cold start: started -> converged', secs(took), `<= 60 s${fullNote}`, took <= 60_000));
    coldStartBreakdown(op, c, b.observer, tracker);
    cpuLine('    CPU used from start to quiet', cpuStart, cpuConverged);
    const extra = [...b.observer.managed].filter((k) => !expected.has(k)).length;
    line('    constraints the operator owns that compile() does not want', String(extra));
    line('    enforced by Gatekeeper at that point (status.byPod)', `${tracker.enforced.size} of ${expected.size}`);
    memLine('RSS after converging at scale', await memNow(op), 150, fullNote);

    // Writes at rest over 3 resync periods. Gatekeeper's first audit of each new constraint is new
    // input (a policy's status reports its violations, 0 included), not rest: wait for it first,
    // bounded (at scale an audit run takes minutes on this machine), and count in the window the
    // audit results that still changed, so a status write they cause is told from one at rest.
    const auditWait = Date.now();
    await tracker.until((x) => x.allAuditedAt !== undefined, AUDIT_WAIT_MS);
    line('    audited by Gatekeeper before the rest window', `${tracker.audited.size} of ${expected.size} constraints` +
      (tracker.allAuditedAt ? `, all at +${secs(tracker.allAuditedAt - op.spawnedAt)} from operator start` : ` (waited ${secs(Date.now() - auditWait)}, the bound)`));
    const restFrom = Date.now();
    const m0 = await op.metrics();
    const restMs = 3 * o.resyncSeconds * 1000;
    for (;;) {
      await sleep(500);
      const m = await op.metrics();
      const enough = Date.now() - restFrom >= restMs + 1000 && (!m || !m0 || passes(m) >= passes(m0) + 3);
      if (enough || Date.now() - restFrom > restMs + 30_000 || op.exitCode() !== undefined) break;
    }
    const restTo = Date.now();
    const m1 = await op.metrics();
    const restWrites = b.audit.writesBetween(restFrom, restTo);
    const restEvents = b.audit.eventsBetween(restFrom, restTo);
    const auditChanges = b.observer.auditChanges.filter((at) => at >= restFrom - 1000 && at <= restTo).length;
    line(`writes at rest over ${secs(restTo - restFrom)} (${m0 && m1 ? passes(m1) - passes(m0) : '?'} reconcile passes)`,
      `${restWrites.length}${restWrites.length ? ` (${describeWrites(restWrites).join(', ')})` : ''}, and ${restEvents.length} Events`,
      target('writes at rest over 3 resyncs', String(restWrites.length), '0', restWrites.length === 0));
    line('    Gatekeeper audit results that changed meanwhile', `${auditChanges} constraints${auditChanges ? ' (new input: their policies\' status.violations follows them)' : ''}`);
    memLine('RSS after 3 resyncs at rest', await memNow(op), 150, fullNote);
    line('    RSS over time (scale run)', sampler.series(op));
    line('    enforced by Gatekeeper (status.byPod)', `${tracker.enforced.size} of ${expected.size}` +
      (tracker.allEnforcedAt ? `, all at +${secs(tracker.allEnforcedAt - op.spawnedAt)} from operator start` : ''));
  }

  // Restart with everything applied.
  await stopOp(op);
  if (!c.ok) console.log('  (the cold start did not converge: the restart below starts from an incomplete state, so it has work to do)');
  const op2 = await spawnOp(b, 'bench-restart');
  const cpuRestart = cpuMark(b, op2);
  const c2 = await waitConverged(op2, b.observer.track(expected), b.audit, Math.min(o.convergeTimeoutMs, 180_000));
  const cpuRestarted = cpuMark(b, op2);
  if (!c2.ok) {
    describeFailure(op2, c2);
    line('(b) restarted -> ready and converged', 'n/a', target('restart: ready and converged', 'n/a', `<= 20 s${fullNote}`, undefined));
  } else {
    const took = c2.convergedAt! - op2.spawnedAt;
    line('(b) restarted -> ready and converged', `${secs(took)}  (ready ${secs(c2.readyAt! - op2.spawnedAt)})`, target('restart: ready and converged', secs(took), `<= 20 s${fullNote}`, took <= 20_000));
    line('    writes from restart to quiet', `${c2.writes.length}${c2.writes.length ? ` (${describeWrites(c2.writes).join(', ')})` : ''}, and ${c2.events.length} Events`,
      target('restart: writes', String(c2.writes.length), '0', c2.writes.length === 0));
    if (c2.metrics?.passCount) line('    reconcile passes until quiet (/metrics)', `${c2.metrics.passCount}, ${ms(c2.metrics.passSeconds * 1000)} in all; by result ${JSON.stringify(c2.metrics.reconciles)}`);
    cpuLine('    CPU used from restart to quiet', cpuRestart, cpuRestarted);
    memLine('RSS after restart, converged', await memNow(op2), undefined);
  }
  await stopOp(op2);
  sampler.stop();
  await b.stop();
}
