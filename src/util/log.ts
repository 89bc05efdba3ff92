// JSON logs, one line per entry on stderr. Secrets never reach a log line: callers log names and
// reasons, not objects. Our own few lines instead of winston: importing winston alone cost about
// 11.5 MiB of RSS (measured: node 39.5 MiB, with winston 51.0), an eighth of the idle target, for
// features the operator does not use (transports, formats, profiling).
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  log(level: LogLevel, message: string, meta?: Record<string, unknown>): void;
  /** A logger that adds these fields to every line (e.g. a replica's identity). */
  child(meta: Record<string, unknown>): Logger;
  readonly level: LogLevel;
}

/** Where lines go; tests may capture them. */
export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => {
  process.stderr.write(line);
};

function makeWith(level: LogLevel, silent: boolean, base: Record<string, unknown>, sink: LogSink): Logger {
  const max = LOG_LEVELS.indexOf(level);
  const log = (l: LogLevel, message: string, meta?: Record<string, unknown>) => {
    if (silent || LOG_LEVELS.indexOf(l) > max) return;
    // Field order: the fixed fields last, so a caller's meta never overrides them.
    sink(`${JSON.stringify({ ...base, ...meta, level: l, message, timestamp: new Date().toISOString() })}\n`);
  };
  return {
    level,
    log,
    error: (m, meta) => log('error', m, meta),
    warn: (m, meta) => log('warn', m, meta),
    info: (m, meta) => log('info', m, meta),
    debug: (m, meta) => log('debug', m, meta),
    child: (meta) => makeWith(level, silent, { ...base, ...meta }, sink),
  };
}

export function makeLogger(level: string = process.env.LOG_LEVEL ?? 'info', silent = false, component = 'admission-policy-engine', sink: LogSink = stderrSink): Logger {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`log level must be one of ${LOG_LEVELS.join(', ')}, not "${level}"`);
  }
  return makeWith(level as LogLevel, silent, { component }, sink);
}
