import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyRequestLogger } from './request-logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) as unknown as FastifyBaseLogger };
}

describe('lazyRequestLogger', () => {
  it('builds the pino child only when the request logs, with its bindings', () => {
    const { lines, logger } = capture();
    const child = vi.spyOn(logger, 'child');
    const log = lazyRequestLogger(logger, { reqId: 'req-7' }, {});
    expect(log.level).toBe('info');
    log.debug('below the level');
    expect(lines).toEqual([]);
    expect(child).toHaveBeenCalledTimes(1);
    log.error({ code: 'x' }, 'went wrong');
    log.warn('again');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.reqId, l.msg, l.level])).toEqual([
      ['req-7', 'went wrong', 50],
      ['req-7', 'again', 40],
    ]);
    expect(lines[0]!.code).toBe('x');
  });

  it('costs nothing for a request that never logs', () => {
    const { logger } = capture();
    const child = vi.spyOn(logger, 'child');
    const log = lazyRequestLogger(logger, { reqId: 'req-8' }, {});
    expect(typeof log.info).toBe('function');
    expect(child).not.toHaveBeenCalled();
  });

  it('honours a per-route level and gives children of its own', () => {
    const { lines, logger } = capture();
    const log = lazyRequestLogger(logger, { reqId: 'req-9' }, { level: 'error' });
    expect(log.level).toBe('error');
    log.info('hidden');
    log.child({ step: 'load' }).error('shown');
    expect(lines.map((l) => [l.reqId, l.step, l.msg])).toEqual([['req-9', 'load', 'shown']]);
    log.level = 'info';
    log.info('now shown');
    expect(lines.at(-1)!.msg).toBe('now shown');
  });
});
