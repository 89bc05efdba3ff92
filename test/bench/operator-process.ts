// The operator as users run it: `node dist/src/cli/main.js run --kubeconfig <file> ...` as its own
// process (its own heap, its own event loop, JSON logs on stderr into a file), observed only from
// outside: /readyz, /metrics, /proc/<pid>/status and its log lines.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';
import { freePort, startProcess, type Managed } from '../harness/processes.js';

export interface OperatorMetrics {
  /** ape_reconciles_total by result. */
  reconciles: Record<string, number>;
  /** ape_api_writes_total without Events (what "quiet" is about). */
  writes: number;
  events: number;
  isLeader: number;
  /** ape_reconcile_duration_seconds: passes and their total duration. */
  passCount: number;
  passSeconds: number;
  /** prom-client's default process metrics, in bytes (undefined when not exported). */
  heapUsed?: number;
  heapTotal?: number;
  external?: number;
}

export interface Memory {
  rssKiB: number;
  hwmKiB: number;
}

export interface OperatorProcess {
  name: string;
  pid: number;
  port: number;
  /** Date.now() just before spawn. */
  spawnedAt: number;
  logFile: string;
  managed: Managed;
  exitCode(): number | null | undefined;
  readyz(): Promise<boolean>;
  metrics(): Promise<OperatorMetrics | undefined>;
  memory(): Memory | undefined;
  /** SIGTERM, as a Deployment rollout does; resolves with the exit code. */
  stop(): Promise<number | null>;
  logTail(lines?: number): string;
}

export function builtCliPath(): string {
  const bin = join(packageRoot(), 'dist/src/cli/main.js');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: build first (npx tsc -p tsconfig.json)`);
  return bin;
}

/** VmRSS and VmHWM of a process, from /proc (Linux). */
export function readMemory(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

export function parseMetrics(text: string): OperatorMetrics {
  const m: OperatorMetrics = { reconciles: {}, writes: 0, events: 0, isLeader: 0, passCount: 0, passSeconds: 0 };
  for (const line of text.split('\n')) {
    const r = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!r) continue;
    const [, name, labelText = '', valueText] = r;
    const value = Number(valueText);
    const labels = Object.fromEntries([...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (name === 'ape_reconciles_total') m.reconciles[labels.result ?? ''] = value;
    else if (name === 'ape_api_writes_total') {
      if (labels.kind === 'Event') m.events += value;
      else m.writes += value;
    } else if (name === 'ape_is_leader') m.isLeader = value;
    else if (name === 'ape_reconcile_duration_seconds_count') m.passCount = value;
    else if (name === 'ape_reconcile_duration_seconds_sum') m.passSeconds = value;
    else if (name === 'nodejs_heap_size_used_bytes') m.heapUsed = value;
    else if (name === 'nodejs_heap_size_total_bytes') m.heapTotal = value;
    else if (name === 'nodejs_external_memory_bytes') m.external = value;
  }
  return m;
}

export interface OperatorProcessOptions {
  dir: string;
  kubeconfig: string;
  identity: string;
  gatekeeperNamespace: string;
  resyncSeconds: number;
  logLevel: string;
  /** Directory for a V8 CPU profile (`--cpu-prof`), written when the process exits. */
  cpuProfDir?: string;
}

/**
 * NODE_OPTIONS of the operator container in the shipped Deployment (manifests/deployment.yaml), or
 * '' when it sets none: the bench runs the process with the V8 heap settings users run it with,
 * so the memory figures are those of the Deployment and not of a bare `node`.
 */
export function deploymentNodeOptions(): string {
  const docs = parseAllDocuments(readFileSync(join(packageRoot(), 'manifests/deployment.yaml'), 'utf8')).map((d) => d.toJS() as unknown);
  for (const doc of docs) {
    const d = doc as { kind?: string; spec?: { template?: { spec?: { containers?: { name?: string; env?: { name?: string; value?: string }[] }[] } } } };
    if (d?.kind !== 'Deployment') continue;
    for (const c of d.spec?.template?.spec?.containers ?? []) {
      const v = c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
      if (v !== undefined) return v;
    }
  }
  return '';
}

export async function startOperatorProcess(o: OperatorProcessOptions): Promise<OperatorProcess> {
  const port = await freePort();
  const logFile = join(o.dir, `operator-${o.identity}.log`);
  const nodeFlags = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`, `--cpu-prof-name=${o.identity}.cpuprofile`] : [];
  const args = [...nodeFlags, builtCliPath(), 'run', '--kubeconfig', o.kubeconfig, '--namespace', 'd8-system',
    '--gatekeeper-namespace', o.gatekeeperNamespace, '--http-addr', `127.0.0.1:${port}`, '--identity', o.identity,
    '--resync', String(o.resyncSeconds), '--log-level', o.logLevel];
  const spawnedAt = Date.now();
  // startProcess (the test bed's): own process group, output in a file, killed if the bench exits.
  // NODE_OPTIONS as the Deployment sets it (and only that: not the bench's own, e.g. --expose-gc).
  const managed = startProcess(`operator ${o.identity}`, process.execPath, args, logFile, { NODE_OPTIONS: deploymentNodeOptions() });
  const pid = managed.child.pid;
  if (pid === undefined) throw new Error('the operator process did not start');
  let code: number | null | undefined;
  void managed.exited.then((c) => {
    code = c;
  });
  const base = `http://127.0.0.1:${port}`;
  const get = async (path: string) => {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 5000);
    try {
      return await fetch(`${base}${path}`, { signal: ctl.signal });
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    name: o.identity, pid, port, spawnedAt, logFile, managed,
    exitCode: () => code,
    async readyz() {
      try {
        const res = await get('/readyz');
        await res.arrayBuffer();
        return res.status === 200;
      } catch {
        return false;
      }
    },
    async metrics() {
      try {
        const res = await get('/metrics');
        return res.status === 200 ? parseMetrics(await res.text()) : undefined;
      } catch {
        return undefined;
      }
    },
    memory: () => readMemory(pid),
    async stop() {
      if (code !== undefined) return code;
      // More than the harness default: writing a CPU profile of a long run takes a few seconds.
      await managed.stop(30_000);
      return managed.exited;
    },
    logTail: (lines = 30) => managed.tail(lines),
  };
}

export interface LogLine {
  level: string;
  message: string;
  at: number;
}

/** The operator's JSON log lines (src/util/log.ts: level, message, timestamp); other lines are skipped. */
export function readLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  const out: LogLine[] = [];
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const j = JSON.parse(l) as { level?: string; message?: string; timestamp?: string };
      out.push({ level: j.level ?? '', message: String(j.message ?? ''), at: j.timestamp ? Date.parse(j.timestamp) : NaN });
    } catch {
      // a partial last line
    }
  }
  return out;
}

/** RSS of an idle `node` process: what any Node.js program costs before it does anything. */
export async function nodeBaseline(): Promise<Memory | undefined> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 1500));
    return child.pid === undefined ? undefined : readMemory(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

export function cpuProfiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f)) : [];
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), starting at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return undefined;
  }
}

/** The test bed's processes (etcd, kube-apiserver, gatekeeper): those whose command line names its directory. */
export function bedProcesses(dir: string): { name: string; pid: number }[] {
  const out: { name: string; pid: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a) => a.includes(`${dir}/`))) continue;
      const base = (argv[0] ?? '').split('/').pop() ?? '';
      if (base === 'node' || base.startsWith('node')) continue; // the operator is reported on its own
      out.push({ name: base.replace(/-v[\d.]+$/, ''), pid: Number(entry) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds per named process, to subtract two snapshots. */
export function cpuSnapshot(procs: { name: string; pid: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of procs) {
    const s = cpuSeconds(p.pid);
    if (s !== undefined) out.set(p.name, (out.get(p.name) ?? 0) + s);
  }
  return out;
}
