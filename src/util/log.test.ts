import { describe, expect, test } from '@jest/globals';
import { makeLogger } from './log.js';

function capture(level: string, silent = false) {
  const lines: string[] = [];
  const logger = makeLogger(level, silent, 'ape-test', (l) => lines.push(l));
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('makeLogger', () => {
  test('one JSON line per entry with component, level, message and an ISO timestamp; meta fields kept', () => {
    const c = capture('info');
    c.logger.info('hello', { port: 8443 });
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0].endsWith('\n')).toBe(true);
    const [e] = c.parsed();
    expect(e).toMatchObject({ component: 'ape-test', level: 'info', message: 'hello', port: 8443 });
    expect(new Date(e.timestamp as string).toISOString()).toBe(e.timestamp);
  });

  test('levels below the threshold are dropped; silent drops everything', () => {
    const c = capture('warn');
    c.logger.debug('d');
    c.logger.info('i');
    c.logger.warn('w');
    c.logger.log('error', 'e');
    expect(c.parsed().map((e) => e.level)).toEqual(['warn', 'error']);
    const s = capture('debug', true);
    s.logger.error('x');
    expect(s.lines).toEqual([]);
  });

  test('a caller cannot override the fixed fields; child adds its fields to every line', () => {
    const c = capture('debug');
    c.logger.child({ replica: 'b' }).error('boom', { level: 'info', message: 'forged' });
    expect(c.parsed()[0]).toMatchObject({ component: 'ape-test', replica: 'b', level: 'error', message: 'boom' });
  });

  test('an unknown level is refused with the valid ones named', () => {
    expect(() => makeLogger('verbose')).toThrow('log level must be one of error, warn, info, debug, not "verbose"');
  });
});
