import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

describe('backoffDelay', () => {
  const opts = { initialMs: 100, maxMs: 1000 };

  test('doubles per attempt, jittered within [base/2, base]', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, opts, () => 1))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, opts, () => 0))).toEqual([50, 100, 200, 400]);
    expect(backoffDelay(2, opts, () => 0.5)).toBe(300);
  });

  test('is capped at maxMs and never drops below initialMs/2, also for huge or odd attempts', () => {
    for (const attempt of [4, 10, 60, 1e9, Infinity]) {
      expect(backoffDelay(attempt, opts, () => 1)).toBe(1000);
      expect(backoffDelay(attempt, opts, () => 0)).toBe(500);
    }
    expect(backoffDelay(-3, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 7)).toBe(100); // a bad random source cannot exceed the base
  });

  test('uses real randomness by default: jitter spreads the retries', () => {
    const samples = Array.from({ length: 50 }, () => backoffDelay(3, DEFAULT_BACKOFF));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4000);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });

  test('default is 500 ms → 30 s', () => {
    expect(backoffDelay(0, undefined, () => 1)).toBe(500);
    expect(backoffDelay(100, undefined, () => 1)).toBe(30000);
  });
});
