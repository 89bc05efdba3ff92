// Retry delays shared by the watch caches and the reconcile loop.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): initialMs·2^attempt capped at
 * maxMs, then "equal jitter": a uniform pick in [base/2, base]. Never below initialMs/2, so a
 * failing server can never make the caller spin, and never above maxMs.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(0, Math.floor(attempt)), 40); // 2^40 · anything > any sane maxMs
  const base = Math.min(opts.maxMs, opts.initialMs * 2 ** exp);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base / 2 + (base / 2) * r);
}
