import { ApiException } from '@kubernetes/client-node';

/** HTTP status of a client-node error, or undefined for network and other failures. */
export function httpStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;
export const isConflict = (err: unknown): boolean => httpStatus(err) === 409;

/** A short, log-safe description of an API error (the Status message, never request bodies). */
export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { message?: string; reason?: string };
      return `HTTP ${err.code}${body?.reason ? ` ${body.reason}` : ''}: ${body?.message ?? 'no message'}`;
    } catch {
      return `HTTP ${err.code}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
