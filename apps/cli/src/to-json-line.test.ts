import { describe, expect, it } from 'vitest';
import { createJsonLogger } from './json-logger.js';
import { toJsonLine } from './to-json-line.js';

describe('toJsonLine', () => {
  it('prints what JSON.stringify rejects or loses instead of throwing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const shared = { x: 1 };
    expect(JSON.parse(toJsonLine(cyclic))).toEqual({ a: 1, self: '[Circular]' });
    expect(JSON.parse(toJsonLine({ left: shared, right: shared }))).toEqual({ left: { x: 1 }, right: { x: 1 } });
    expect(toJsonLine(10n)).toBe('"10"');
    expect(toJsonLine(undefined)).toBe('null');
    expect(toJsonLine([undefined, () => 1])).toBe('[null,null]');
    expect(JSON.parse(toJsonLine(Object.assign(new Error('boom'), { code: 'E_X' })))).toEqual({ name: 'Error', message: 'boom', code: 'E_X' });
    expect(JSON.parse(toJsonLine(new Map([['k', new Set([1, 2])]])))).toEqual({ k: [1, 2] });
    expect(JSON.parse(toJsonLine(new Uint16Array([1, 2])))).toEqual([1, 2]);
    expect(JSON.parse(toJsonLine(Buffer.from([7])))).toEqual({ type: 'Buffer', data: [7] });
    expect(JSON.parse(toJsonLine(new Date(0)))).toBe('1970-01-01T00:00:00.000Z');
    expect(toJsonLine('a\nb')).toBe('"a\\nb"');
  });
});

describe('createJsonLogger', () => {
  it('writes one JSON line per entry, time/level/message first, at or above the level', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((l) => lines.push(l), 'info', () => new Date(0));
    logger.debug('hidden');
    logger.info('shown', { nodeId: 'n1' });
    logger.log({ level: 'error', message: 'from runtime', time: 't', code: 'NODE_FAILED' });
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","message":"shown","nodeId":"n1"}\n',
      '{"time":"t","level":"error","message":"from runtime","code":"NODE_FAILED"}\n',
    ]);
  });
});
