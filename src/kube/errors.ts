import { ApiError } from './client.js';

/** HTTP status of an API error, or undefined for network and other failures. */
export function httpStatus(err: unknown): number | undefined {
  if (err instanceof ApiError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;
export const isConflict = (err: unknown): boolean => httpStatus(err) === 409;

/**
 * A short, log-safe description of an error: the Status message, never request bodies. Errors of
 * other clients (a list function a caller passes in) that carry a numeric `code` and a Status
 * `body` are described the same way.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  const e = err as { code?: unknown; body?: unknown } | null;
  if (e && typeof e.code === 'number' && e.body !== undefined) {
    try {
      const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { message?: string; reason?: string };
      return `HTTP ${e.code}${body?.reason ? ` ${body.reason}` : ''}: ${body?.message ?? 'no message'}`;
    } catch {
      return `HTTP ${e.code}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
