import { toMessage } from '@plantwire/node-sdk';
import { deepFreeze, testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { change } from './change.node.js';

const run = async (rules: unknown[], msg: Record<string, unknown>, env?: Record<string, string>) => {
  const node = await testNode(change, { rules }, { env });
  const [out] = await node.input(msg);
  return out!.msg;
};

describe('change: set', () => {
  it('sets a fixed value, creating missing objects, and keeps the message id', async () => {
    const out = await run([{ op: 'set', path: 'payload.reading.unit', value: 'degC' }], { _msgid: 'm1', payload: { reading: { value: 21 } }, topic: 't' });
    expect(out).toEqual({ _msgid: 'm1', payload: { reading: { value: 21, unit: 'degC' } }, topic: 't' });
  });

  it('sets JSON objects and null, sharing one frozen value between messages', async () => {
    const node = await testNode(change, { rules: [{ op: 'set', path: 'payload', value: { mode: 'auto' } }, { op: 'set', path: 'topic', value: null }] });
    const [a] = await node.input({ payload: 1 });
    const [b] = await node.input({ payload: 2 });
    expect(a!.msg).toMatchObject({ payload: { mode: 'auto' }, topic: null });
    expect(a!.msg.payload).toBe(b!.msg.payload);
    expect(Object.isFrozen(a!.msg.payload)).toBe(true);
  });

  it('copies the value of another property', async () => {
    const out = await run([{ op: 'set', path: 'topic', from: 'payload.tag' }], { payload: { tag: 'line1/temp', value: 3 } });
    expect(out.topic).toBe('line1/temp');
  });

  it('evaluates a JSONata expression against the message, with $env', async () => {
    const out = await run(
      [
        { op: 'set', path: 'payload.fahrenheit', expression: 'payload.celsius * 9 / 5 + 32' },
        { op: 'set', path: 'line', expression: '$env("LINE_ID") & "/" & topic' },
      ],
      { payload: { celsius: 20 }, topic: 'temp' },
      { LINE_ID: 'L1' },
    );
    expect(out.payload).toEqual({ celsius: 20, fahrenheit: 68 });
    expect(out.line).toBe('L1/temp');
  });

  it('answers synchronously when no rule uses an expression (the fast path)', async () => {
    const node = await testNode(change, { rules: [{ op: 'set', path: 'payload', value: 1 }] });
    const msg = deepFreeze(toMessage({ payload: 0 }));
    const result = change.onInput!(msg, node.ctx, node.state as never, 'in');
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ ...msg, payload: 1 });
  });
});

describe('change: delete and move', () => {
  it('deletes properties and array elements', async () => {
    const out = await run(
      [
        { op: 'delete', path: 'payload.secret' },
        { op: 'delete', path: 'payload.tags[0]' },
      ],
      { payload: { secret: 'x', keep: 1, tags: ['a', 'b'] } },
    );
    expect(out.payload).toEqual({ keep: 1, tags: ['b'] });
  });

  it('moves a property, and nests a value moved below itself', async () => {
    expect((await run([{ op: 'move', path: 'payload.raw', to: 'raw' }], { payload: { raw: 5, x: 1 } })).raw).toBe(5);
    const nested = await run([{ op: 'move', path: 'payload', to: 'payload.data' }], { payload: { a: 1 } });
    expect(nested.payload).toEqual({ data: { a: 1 } });
    const missing = await run([{ op: 'move', path: 'payload.nothing', to: 'topic' }], { payload: {}, topic: 't' });
    expect(missing.topic).toBe('t');
  });

  it('applies rules in order, each seeing the result of the one before', async () => {
    const out = await run(
      [
        { op: 'set', path: 'payload.value', value: 10 },
        { op: 'move', path: 'payload.value', to: 'payload.reading' },
        { op: 'set', path: 'payload.double', expression: 'payload.reading * 2' },
      ],
      { payload: {} },
    );
    expect(out.payload).toEqual({ reading: 10, double: 20 });
  });
});

describe('change: errors', () => {
  it('raises EXPRESSION_FAILED naming the rule index', async () => {
    const node = await testNode(change, {
      rules: [
        { op: 'set', path: 'topic', value: 't' },
        { op: 'set', path: 'payload', expression: '$number(payload)' },
      ],
    });
    await expect(node.input({ payload: 'not a number' })).rejects.toMatchObject({
      code: 'EXPRESSION_FAILED',
      message: expect.stringMatching(/^rule 1 \(set payload\): expression "\$number\(payload\)" failed at position \d+: /),
      details: expect.objectContaining({ rule: 1 }),
    });
  });

  it('stops a runaway expression with EXPRESSION_FAILED instead of stalling the runtime', async () => {
    const node = await testNode(change, { rules: [{ op: 'set', path: 'payload', expression: '($f := function($n){ $f($n + 1) }; $f(0))' }] });
    await expect(node.input({ payload: 0 })).rejects.toMatchObject({ code: 'EXPRESSION_FAILED', message: expect.stringContaining('timeout after 1000 milliseconds') });
  });

  it('raises INPUT_INVALID naming the rule when a path runs through a number', async () => {
    const node = await testNode(change, { rules: [{ op: 'set', path: 'payload.unit', value: 'degC' }] });
    await expect(node.input({ payload: 21 })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: 'rule 0 (set payload.unit): cannot set payload.unit: payload is a number, not an object or array',
    });
  });

  it('reports config problems at the field', () => {
    const issues = (rules: unknown[]) => change.config.safeParse({ rules }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues([{ op: 'set', path: 'payload', expression: 'payload +' }])?.[0]).toMatch(/^rules\.0\.expression: invalid JSONata expression at position \d+/);
    expect(issues([{ op: 'set', path: 'payload' }])).toEqual(['rules.0.value: a set rule needs one of value, from or expression']);
    expect(issues([{ op: 'set', path: 'payload', value: 1, expression: '1' }])).toEqual(['rules.0.expression: a set rule takes one of value, from or expression, not value and expression']);
    expect(issues([{ op: 'move', path: 'payload', to: 'a..b' }])?.[0]).toMatch(/^rules\.0\.to: invalid message path "a\.\.b"/);
    expect(issues([{ op: 'rename', path: 'payload' }])?.[0]).toMatch(/^rules\.0\.op:/);
    expect(issues([])?.[0]).toMatch(/^rules:/);
  });

  it('accepts null as a set value', () => {
    expect(change.config.safeParse({ rules: [{ op: 'set', path: 'payload', value: null }] }).success).toBe(true);
  });
});
