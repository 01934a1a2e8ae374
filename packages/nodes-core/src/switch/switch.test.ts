import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { typeOf } from './compare.js';
import { switchNode } from './switch.node.js';

/** The ports one message leaves by. */
const route = async (config: Record<string, unknown>, msg: Record<string, unknown>) => {
  const node = await testNode(switchNode, config);
  return (await node.input(msg)).map((s) => s.port);
};

describe('switch routing', () => {
  const bands = {
    property: 'payload.temperature',
    rules: [
      { op: 'gt', value: 80 },
      { op: 'between', value: 20, value2: 80 },
      { op: 'lt', value: 20 },
    ],
  };

  it('sends a message out of the port of the first matching rule (case<n> by default)', async () => {
    expect(await route(bands, { payload: { temperature: 95 } })).toEqual(['case1']);
    expect(await route(bands, { payload: { temperature: 80 } })).toEqual(['case2']);
    expect(await route(bands, { payload: { temperature: '12.5' } })).toEqual(['case3']);
  });

  it('sends unmatched messages to otherwise, unchanged', async () => {
    const node = await testNode(switchNode, bands);
    const msg = { _msgid: 'm1', payload: { temperature: 'n/a' } };
    const sent = await node.input(msg);
    expect(sent).toEqual([{ port: 'otherwise', msg }]);
  });

  it('with checkAll, sends once to each matching rule\'s port, in rule order', async () => {
    const config = {
      checkAll: true,
      rules: [
        { op: 'gte', value: 10, port: 'case2' },
        { op: 'gte', value: 50, port: 'case1' },
        { op: 'gte', value: 0, port: 'case2' },
        { op: 'else', port: 'case3' },
      ],
    };
    expect(await route(config, { payload: 60 })).toEqual(['case2', 'case1']);
    expect(await route(config, { payload: -1 })).toEqual(['case3']);
  });

  it('lets several rules share a port and routes else rules to otherwise by default', async () => {
    const config = {
      property: 'topic',
      rules: [
        { op: 'eq', value: 'line1/temp', port: 'case1' },
        { op: 'eq', value: 'line2/temp', port: 'case1' },
        { op: 'regex', value: '^LINE[0-9]+/alarm$', ignoreCase: true, port: 'case2' },
        { op: 'else' },
      ],
    };
    expect(await route(config, { topic: 'line2/temp' })).toEqual(['case1']);
    expect(await route(config, { topic: 'line7/alarm' })).toEqual(['case2']);
    expect(await route(config, { topic: 'other' })).toEqual(['otherwise']);
  });

  it('needs an explicit port from the ninth rule on, at config time', () => {
    const rules = Array.from({ length: 9 }, (_, i) => ({ op: 'eq', value: i }));
    const issues = switchNode.config.safeParse({ rules }).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([['rules.8.port', expect.stringContaining('rule 8 needs a port')]]);
    expect(switchNode.config.safeParse({ rules: [...rules.slice(0, 8), { op: 'eq', value: 8, port: 'case1' }] }).success).toBe(true);
  });
});

describe('switch operators', () => {
  const matches = async (rule: Record<string, unknown>, payload: unknown) => (await route({ rules: [rule] }, { payload })).includes('case1');

  it.each([
    [{ op: 'eq', value: 5 }, 5, true],
    [{ op: 'eq', value: 5 }, '5', true],
    [{ op: 'eq', value: 'on' }, 'off', false],
    [{ op: 'eq', value: { a: [1, 2] } }, { a: [1, 2] }, true],
    [{ op: 'eq', value: { a: [1, 2] } }, { a: [1, 2], b: 0 }, false],
    [{ op: 'neq', value: 0 }, 1, true],
    [{ op: 'neq', value: 0 }, '0', false],
    [{ op: 'lt', value: 10 }, 9.5, true],
    [{ op: 'lt', value: 10 }, 'abc', false],
    [{ op: 'lte', value: 10 }, 10, true],
    [{ op: 'gt', value: 'b' }, 'c', true],
    [{ op: 'gte', value: 10 }, null, false],
    [{ op: 'between', value: 5, value2: 1 }, 3, true],
    [{ op: 'between', value: 1, value2: 5 }, 6, false],
    [{ op: 'contains', value: 'alarm' }, 'high alarm', true],
    [{ op: 'contains', value: 3 }, [1, 2, 3], true],
    [{ op: 'contains', value: 3 }, { 3: true }, false],
    [{ op: 'regex', value: '^[0-9]+$' }, 42, true],
    [{ op: 'regex', value: '^[0-9]+$' }, { n: 42 }, false],
    [{ op: 'true' }, true, true],
    [{ op: 'true' }, 'true', false],
    [{ op: 'false' }, false, true],
    [{ op: 'null' }, undefined, true],
    [{ op: 'null' }, null, true],
    [{ op: 'null' }, 0, false],
    [{ op: 'nonnull' }, 0, true],
    [{ op: 'istype', value: 'array' }, [], true],
    [{ op: 'istype', value: 'object' }, [], false],
    [{ op: 'istype', value: 'binary' }, new Uint8Array(2), true],
    [{ op: 'istype', value: 'number' }, '5', false],
    [{ op: 'else' }, 'anything', false],
  ])('%j on %j → %s', async (rule, payload, expected) => {
    // `else` has `otherwise` as its default port, so it never reaches case1 here.
    expect(await matches(rule, payload)).toBe(expected);
  });

  it('rejects a bad regex, a bad port and a missing value at the rule\'s field', () => {
    const paths = (rules: unknown[]) => switchNode.config.safeParse({ rules }).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(paths([{ op: 'regex', value: '(' }])).toEqual([['rules.0.value', expect.stringContaining('invalid regular expression')]]);
    expect(paths([{ op: 'eq', value: 1, port: 'case9' }])?.[0]?.[0]).toBe('rules.0.port');
    expect(paths([{ op: 'between', value: 1 }])?.[0]?.[0]).toBe('rules.0.value2');
    expect(paths([{ op: 'matches', value: 1 }])?.[0]?.[0]).toBe('rules.0.op');
  });
});

describe('typeOf', () => {
  it('names bytes binary, and arrays, null and missing values apart from objects', () => {
    expect([new Uint8Array(1), [], {}, null, undefined, 'x', 1, true].map(typeOf)).toEqual(['binary', 'array', 'object', 'null', 'undefined', 'string', 'number', 'boolean']);
  });
});
