// The benchmarks proper (run.ts starts this from a snapshot of the package): print figures, assert
// nothing (benchmarks print, tests assert; the exit code is 0 even when a target is missed). Three parts:
//  - in-process: compile and plan throughput and memory, gator's Rego evaluation speed (micro.ts);
//  - in-process: the image verifier's latency, cold and warm, 1 image and a Pod of 10 (verify.ts);
//  - the operator as users run it, a separate process against the real test bed (operator.ts):
//    convergence latency, cold start and restart at scale, writes at rest, memory.
// Flags (or environment variables) choose the size; see `--help`.
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cleanup } from './cleanup.js';
import { microBench } from './micro.js';
import { benchVerify, reportVerify } from './verify.js';
import { operatorBench, type OperatorBenchOptions } from './operator.js';
import { cpuProfiles } from './operator-process.js';
import { summarizeProfile } from './profile.js';
import { targets } from './stats.js';

const SCALES: Record<string, { policies: number; namespaces: number; budgetMin: number; convergeMin: number }> = {
  small: { policies: 100, namespaces: 1000, budgetMin: 20, convergeMin: 5 },
  medium: { policies: 300, namespaces: 3000, budgetMin: 30, convergeMin: 8 },
  full: { policies: 1000, namespaces: 10000, budgetMin: 60, convergeMin: 15 },
};
// The issue's sizes by default; BENCH_SCALE=small (or --scale small) for a quicker look.
const DEFAULT_SCALE = 'full';

export const usage = `Usage: node --expose-gc dist/test/bench/run.js [flags]   (npm run bench -- [flags])

  --scale small|medium|full   operator at scale: ${Object.entries(SCALES).map(([k, v]) => `${k} = ${v.policies} policies x ${v.namespaces} namespaces`).join(', ')}
                              (default ${DEFAULT_SCALE}; env BENCH_SCALE or APE_BENCH_SCALE)
  --policies N --namespaces N override the scale's sizes (env APE_BENCH_POLICIES, APE_BENCH_NAMESPACES)
  --changes N                 convergence latency changes (default 50; env APE_BENCH_CHANGES)
  --cpu-prof                  V8 CPU profile of each operator process, summarized at the end (env APE_BENCH_CPU_PROF=1)
  --log-level L               the operator's --log-level (default info; env APE_BENCH_LOG_LEVEL)
  --no-micro                  skip the in-process compile/plan/gator figures (env APE_BENCH_MICRO=0)
  --no-operator               skip the operator process figures (env APE_BENCH_OPERATOR=0)
  --no-verify                 skip the image verifier's latency (env APE_BENCH_VERIFY=0; rounds: APE_BENCH_VERIFY_ROUNDS, default 20)
  --budget-min N              stop everything after N minutes (default by scale; env APE_BENCH_BUDGET_MIN)
`;

const { values } = parseArgs({
  options: {
    scale: { type: 'string' }, policies: { type: 'string' }, namespaces: { type: 'string' }, changes: { type: 'string' },
    'cpu-prof': { type: 'boolean' }, 'log-level': { type: 'string' }, 'no-micro': { type: 'boolean' }, 'no-operator': { type: 'boolean' }, 'no-verify': { type: 'boolean' },
    'budget-min': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const env = process.env;
const scaleName = values.scale ?? env.BENCH_SCALE ?? env.APE_BENCH_SCALE ?? DEFAULT_SCALE;
const scale = SCALES[scaleName];
if (!scale) {
  process.stderr.write(`unknown scale ${scaleName}\n\n${usage}`);
  process.exit(2);
}
const int = (v: string | undefined, fallback: number, what: string): number => {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`${what} must be a whole number, not ${v}\n`);
    process.exit(2);
  }
  return n;
};
const cpuProf = values['cpu-prof'] ?? env.APE_BENCH_CPU_PROF === '1';
const opts: OperatorBenchOptions = {
  scaleName,
  policies: int(values.policies ?? env.APE_BENCH_POLICIES, scale.policies, 'policies'),
  namespaces: int(values.namespaces ?? env.APE_BENCH_NAMESPACES, scale.namespaces, 'namespaces'),
  changes: int(values.changes ?? env.APE_BENCH_CHANGES, 50, 'changes'),
  concurrency: 16,
  resyncSeconds: 10,
  logLevel: values['log-level'] ?? env.APE_BENCH_LOG_LEVEL ?? 'info',
  cpuProfDir: cpuProf ? mkdtempSync(join(tmpdir(), 'ape-bench-prof-')) : undefined,
  convergeTimeoutMs: scale.convergeMin * 60_000,
};
const runMicro = !values['no-micro'] && env.APE_BENCH_MICRO !== '0';
const runOperator = !values['no-operator'] && env.APE_BENCH_OPERATOR !== '0';
const runVerify = !values['no-verify'] && env.APE_BENCH_VERIFY !== '0';
const budgetMin = int(values['budget-min'] ?? env.APE_BENCH_BUDGET_MIN, scale.budgetMin, 'budget-min');

const cleanup = new Cleanup();
let finishing = false;
async function finish(code: number, why?: string): Promise<never> {
  if (!finishing) {
    finishing = true;
    if (why) {
      console.log(`\n${why}: stopping every process the bench started`);
      // The interrupted phase sees its processes go away: what it would print now is not a figure.
      console.log = () => undefined;
    }
    await cleanup.runAll();
  }
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void finish(130, sig));
// Bounded in time whatever happens: every wait has its own deadline, this is the backstop.
setTimeout(() => void finish(1, `time budget of ${budgetMin} min exceeded`), budgetMin * 60_000).unref();

console.log('admission-policy-engine benchmarks');
console.log(`node ${process.version}, ${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`sources ${env.APE_BENCH_SOURCE ?? '?'}; built package snapshot ${env.APE_BENCH_SNAPSHOT ?? '(none: started main.js directly)'}\n`);

if (runMicro) microBench();

let failed = false;
if (runVerify) {
  // In process: the provider's mTLS endpoint as Gatekeeper calls it, crane's registry on loopback.
  try {
    console.log(`\n${reportVerify(await benchVerify(int(env.APE_BENCH_VERIFY_ROUNDS, 20, 'APE_BENCH_VERIFY_ROUNDS')))}`);
  } catch (err) {
    failed = true;
    console.log(`\n!! the verify benchmark stopped: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
if (runOperator) {
  try {
    await operatorBench(opts, cleanup);
  } catch (err) {
    failed = true;
    console.log(`\n!! the operator benchmark stopped: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    await cleanup.runAll();
  }
  if (opts.cpuProfDir) {
    console.log('\nCPU profiles of the operator processes (open the files in Chrome DevTools or speedscope for call trees):');
    for (const file of cpuProfiles(opts.cpuProfDir)) {
      try {
        console.log(summarizeProfile(file).map((l) => `  ${l}`).join('\n'));
      } catch (err) {
        console.log(`  ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

if (targets.length) {
  console.log('\ntargets');
  for (const t of targets) console.log(`  ${t.met === undefined ? 'NOT MEASURED' : t.met ? 'met         ' : 'MISSED      '}  ${t.name.padEnd(48)} ${t.value.padStart(10)}   (target ${t.target})`);
}
await finish(failed ? 1 : 0);
