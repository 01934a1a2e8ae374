import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { range } from './range.node.js';

const PLC = { inMin: 0, inMax: 27648, outMin: 0, outMax: 100 };

const scale = async (config: Record<string, unknown>, payload: unknown) => {
  const node = await testNode(range, config);
  const sent = await node.input({ payload });
  return sent.map((s) => s.msg.payload);
};

describe('range', () => {
  it('scales a plain number linearly and keeps the rest of the message', async () => {
    const node = await testNode(range, PLC);
    const [out] = await node.input({ _msgid: 'm1', payload: 13824, topic: 'ai0' });
    expect(out!.msg).toEqual({ _msgid: 'm1', payload: 50, topic: 'ai0' });
  });

  it('reads numeric text and returns a number', async () => {
    expect(await scale(PLC, ' 6912 ')).toEqual([25]);
  });

  it('handles a live-zero range (4-20 mA) and a reversed output range', async () => {
    expect(await scale({ inMin: 4, inMax: 20, outMin: 0, outMax: 16 }, 12)).toEqual([8]);
    expect(await scale({ inMin: 0, inMax: 10, outMin: 100, outMax: 0 }, 2.5)).toEqual([75]);
  });

  it.each([
    ['scale', 120, [120]],
    ['scale', -10, [-10]],
    ['clamp', 120, [100]],
    ['clamp', -10, [0]],
    ['wrap', 250, [50]],
    ['wrap', -30, [70]],
    ['drop', 101, []],
    ['drop', 100, [100]],
  ])('%s mode maps %d to %j', async (mode, input, expected) => {
    expect(await scale({ inMin: 0, inMax: 100, outMin: 0, outMax: 100, mode }, input)).toEqual(expected);
  });

  it('rounds to the given decimals', async () => {
    expect(await scale({ ...PLC, round: 2 }, 1000)).toEqual([3.62]);
    expect(await scale({ ...PLC, round: 0 }, 1000)).toEqual([4]);
    expect(await scale({ inMin: 0, inMax: 1, outMin: -1, outMax: 1, round: 0 }, 0.4)).toEqual([0]);
    expect(Object.is((await scale({ inMin: 0, inMax: 1, outMin: -1, outMax: 1, round: 0 }, 0.4))[0], -0)).toBe(false);
  });

  it('scales the value of a tag value and keeps quality and timestamps', async () => {
    const tag = { value: 27648, quality: 'uncertain', sourceTime: '2024-03-01T10:00:00.000Z', unit: 'raw' };
    expect(await scale(PLC, tag)).toEqual([{ ...tag, value: 100 }]);
  });

  it('works on a nested property', async () => {
    const node = await testNode(range, { ...PLC, property: 'payload.pressure' });
    const [out] = await node.input({ payload: { pressure: 27648, temperature: 5 } });
    expect(out!.msg.payload).toEqual({ pressure: 100, temperature: 5 });
  });

  it.each([
    ['abc', 'cannot scale payload: expected a finite number, got the text "abc"'],
    [null, 'cannot scale payload: expected a finite number, got null'],
    [undefined, 'cannot scale payload: expected a finite number, got missing'],
    [true, 'cannot scale payload: expected a finite number, got a boolean'],
    [[1], 'cannot scale payload: expected a finite number, got an array'],
    [{ value: 'n/a', quality: 'bad', sourceTime: 'x' }, 'cannot scale payload.value: expected a finite number, got the text "n/a"'],
  ])('raises INPUT_INVALID for %j', async (payload, message) => {
    const node = await testNode(range, PLC);
    await expect(node.input({ payload })).rejects.toMatchObject({ code: 'INPUT_INVALID', message });
  });

  it('rejects an empty input range and missing bounds at config time', () => {
    const issues = (config: Record<string, unknown>) => range.config.safeParse(config).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues({ inMin: 5, inMax: 5, outMin: 0, outMax: 1 })).toEqual([['inMax', 'inMax must differ from inMin (the input range is empty)']]);
    expect(issues({ inMin: 0, inMax: 5 })?.map(([path]) => path)).toEqual(['outMin', 'outMax']);
    expect(issues({ ...PLC, round: 1.5 })?.[0]?.[0]).toBe('round');
  });
});
