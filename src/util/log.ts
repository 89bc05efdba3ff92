// JSON logs (winston). Secrets never reach a log line: callers log names and reasons, not objects.
import winston from 'winston';

export type Logger = winston.Logger;

export function makeLogger(level = process.env.LOG_LEVEL ?? 'info', silent = false, component = 'admission-policy-engine'): Logger {
  return winston.createLogger({
    level,
    silent,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { component },
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
