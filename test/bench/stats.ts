// Percentiles, units and "figure next to its target" lines for the benchmark report. A benchmark
// prints and never fails on a missed target; every target check is also collected so the end of
// the run can list them together.

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return { n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples.length ? Math.max(...samples) : NaN };
}

export function ms(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`;
}

export function mib(kib: number | undefined): string {
  return kib === undefined || !Number.isFinite(kib) ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`;
}

export function dist(s: Summary, fmt: (v: number) => string = ms): string {
  return `p50 ${fmt(s.p50).padStart(8)}  p95 ${fmt(s.p95).padStart(8)}  max ${fmt(s.max).padStart(8)}  (n=${s.n})`;
}

export interface TargetResult {
  name: string;
  value: string;
  target: string;
  met: boolean | undefined;
}

/** Every target checked in this run, in order, for the closing table. */
export const targets: TargetResult[] = [];

/**
 * Records a target check and returns its suffix for the figure's line. `met` undefined means the
 * figure could not be measured (the reason is on the line itself).
 */
export function target(name: string, value: string, targetText: string, met: boolean | undefined): string {
  targets.push({ name, value, target: targetText, met });
  return `target ${targetText}: ${met === undefined ? 'NOT MEASURED' : met ? 'met' : 'MISSED'}`;
}

export function line(label: string, value: string, suffix = ''): void {
  console.log(`  ${label.padEnd(52)} ${value}${suffix ? `   ${suffix}` : ''}`);
}

export const sleep = (ms_: number) => new Promise<void>((r) => setTimeout(r, ms_));

/** Runs `fn` over `items` with at most `limit` in flight; resolves when all settled (throws the first error). */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed !== undefined) throw failed instanceof Error ? failed : new Error(JSON.stringify(failed));
}
