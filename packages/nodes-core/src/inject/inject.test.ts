import { NodeError } from '@plantwire/node-sdk';
import { testNode } from '@plantwire/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inject } from './inject.node.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2024-03-01T10:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

const issuesOf = (config: Record<string, unknown>) => inject.config.safeParse(config).error?.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) ?? [];

describe('inject triggers', () => {
  it('sends once after the start delay, with payload, topic and extra properties', async () => {
    const node = await testNode(inject, { payload: { type: 'number', value: 5 }, topic: 'line1/start', properties: { unit: 'degC' }, once: true, onceDelayMs: 250 });
    await vi.advanceTimersByTimeAsync(249);
    expect(node.output()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(node.output()).toHaveLength(1);
    expect(node.output()[0]).toMatchObject({ payload: 5, topic: 'line1/start', unit: 'degC' });
    expect(node.output()[0]!._msgid).toEqual(expect.any(String));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(node.output()).toHaveLength(1);
    await node.close();
  });

  it('repeats at the interval', async () => {
    const node = await testNode(inject, { payload: { type: 'string', value: 'tick' }, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(3500);
    expect(node.output().map((m) => m.payload)).toEqual(['tick', 'tick', 'tick']);
    expect(node.output()[0]).not.toHaveProperty('topic');
    await node.close();
  });

  it('starts the repeat after the once message, as Node-RED does', async () => {
    const node = await testNode(inject, { payload: { type: 'timestamp' }, once: true, onceDelayMs: 100, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    const start = new Date('2024-03-01T10:00:00.000Z').getTime();
    expect(node.output().map((m) => m.payload)).toEqual([start + 100, start + 1100, start + 2100]);
    await node.close();
  });

  it('fires on a 6-field cron schedule, on the second', async () => {
    vi.setSystemTime(new Date('2024-03-01T10:00:05.000Z'));
    const node = await testNode(inject, { payload: { type: 'date' }, cron: '*/10 * * * * *' });
    await vi.advanceTimersByTimeAsync(4999);
    expect(node.output()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(node.output().map((m) => m.payload)).toEqual(['2024-03-01T10:00:10.000Z', '2024-03-01T10:00:20.000Z', '2024-03-01T10:00:30.000Z']);
    await node.close();
  });

  it('reads a 5-field cron schedule in the given time zone', async () => {
    vi.setSystemTime(new Date('2024-03-01T04:58:00.000Z'));
    const node = await testNode(inject, { payload: { type: 'date' }, cron: '0 6 * * *', timezone: 'Europe/Berlin' });
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    // 06:00 in Berlin (UTC+1 in March before the switch) is 05:00 UTC.
    expect(node.output().map((m) => m.payload)).toEqual(['2024-03-01T05:00:00.000Z']);
    await node.close();
  });

  it('stops sending when closed', async () => {
    const node = await testNode(inject, { intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(250);
    await node.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(node.output()).toHaveLength(2);
  });
});

describe('inject payloads', () => {
  it.each([
    [{ type: 'boolean', value: false }, false],
    [{ type: 'json', value: { setpoint: 21.5, modes: ['auto'] } }, { setpoint: 21.5, modes: ['auto'] }],
    [{ type: 'timestamp' }, new Date('2024-03-01T10:00:00.000Z').getTime()],
    [{ type: 'date' }, '2024-03-01T10:00:00.000Z'],
  ])('sends %j', async (payload, expected) => {
    const node = await testNode(inject, { payload, once: true, onceDelayMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(node.output()[0]!.payload).toEqual(expected);
    await node.close();
  });

  it('sends no payload property for type none', async () => {
    const node = await testNode(inject, { payload: { type: 'none' }, topic: 'ping', once: true, onceDelayMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(node.output()[0]).not.toHaveProperty('payload');
    expect(node.output()[0]!.topic).toBe('ping');
    await node.close();
  });

  it('shares one frozen JSON value between messages, so a downstream mutation fails', async () => {
    const node = await testNode(inject, { payload: { type: 'json', value: { a: 1 } }, intervalMs: 10 });
    await vi.advanceTimersByTimeAsync(20);
    const [first, second] = node.output();
    expect(first!.payload).toBe(second!.payload);
    expect(Object.isFrozen(first!.payload)).toBe(true);
    await node.close();
  });

  it('sends an environment variable, and fails at deploy when it is not set', async () => {
    const node = await testNode(inject, { payload: { type: 'env', value: 'LINE_ID' }, once: true, onceDelayMs: 0 }, { env: { LINE_ID: 'L7' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(node.output()[0]!.payload).toBe('L7');
    await node.close();

    const failing = testNode(inject, { payload: { type: 'env', value: 'MISSING_VAR' }, once: true });
    await expect(failing).rejects.toThrow(NodeError);
    await expect(failing).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('MISSING_VAR') });
  });
});

describe('inject config validation', () => {
  it('defaults to a timestamp payload with no trigger', () => {
    expect(inject.config.parse({})).toEqual({ payload: { type: 'timestamp' }, properties: {}, once: false, onceDelayMs: 100 });
  });

  it('points at the cron field for an invalid expression', () => {
    expect(issuesOf({ cron: '61 * * * *' })).toEqual([{ path: 'cron', message: expect.stringContaining('Invalid value for minute: 61') }]);
    expect(issuesOf({ cron: '* * *' })).toEqual([{ path: 'cron', message: expect.stringContaining('invalid cron expression') }]);
    expect(issuesOf({ cron: '0 0 0 1 1 * 2030' })[0]!.path).toBe('cron');
  });

  it('rejects an unknown time zone, cron together with interval, and reserved property names', () => {
    expect(issuesOf({ cron: '* * * * *', timezone: 'Mars/Base' })).toEqual([{ path: 'timezone', message: expect.stringContaining('unknown time zone') }]);
    expect(issuesOf({ cron: '* * * * *', intervalMs: 1000 })).toEqual([{ path: 'cron', message: 'set either intervalMs or cron, not both' }]);
    expect(issuesOf({ properties: { payload: 1 } })).toEqual([{ path: 'properties.payload', message: expect.stringContaining('"payload" is set by') }]);
  });

  it('rejects a payload whose value does not match its type, and unknown keys', () => {
    expect(issuesOf({ payload: { type: 'number', value: '5' } })[0]!.path).toBe('payload.value');
    expect(issuesOf({ intervalMS: 1000 })[0]!.message).toMatch(/intervalMS/);
  });
});

describe('inject backpressure', () => {
  it('skips ticks while downstream is full, counts them in the status, and resumes on drain', async () => {
    const node = await testNode(inject, { payload: { type: 'number', value: 1 }, intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(100);
    expect(node.output()).toHaveLength(1);

    node.setPressure(true);
    await vi.advanceTimersByTimeAsync(300);
    expect(node.output()).toHaveLength(1);
    expect(node.statuses.at(-1)).toEqual({ fill: 'yellow', shape: 'ring', text: 'downstream full: 3 skipped' });

    node.setPressure(false);
    expect(node.statuses.at(-1)).toEqual({ fill: 'grey', shape: 'dot', text: '3 skipped' });
    // Nothing was queued while paused: the next tick sends one message, not a burst.
    await vi.advanceTimersByTimeAsync(100);
    expect(node.output()).toHaveLength(2);
    await node.close();
  });
});
