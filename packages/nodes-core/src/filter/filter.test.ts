import { NodeError } from '@plantwire/node-sdk';
import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { filter } from './filter.node.js';

/** Feed payloads (of one topic unless given) and return the payloads that passed. */
async function passed(config: Record<string, unknown>, inputs: ReadonlyArray<unknown | { topic: string; payload: unknown }>) {
  const node = await testNode(filter, config);
  for (const input of inputs) {
    const msg = typeof input === 'object' && input !== null && 'topic' in input ? input : { payload: input };
    await node.input(msg as { payload: unknown });
  }
  return node.output().map((m) => (m.topic === undefined ? m.payload : `${m.topic}=${String(m.payload)}`));
}

describe('filter: report by exception', () => {
  it('passes the first value and then only changes', async () => {
    expect(await passed({}, [1, 1, 2, 2, 2, 1, 'a', 'a'])).toEqual([1, 2, 1, 'a']);
  });

  it('compares objects and arrays by content, not identity', async () => {
    expect(await passed({}, [{ a: [1, 2] }, { a: [1, 2] }, { a: [1, 3] }])).toEqual([{ a: [1, 2] }, { a: [1, 3] }]);
  });

  it('sends the input message itself, unchanged', async () => {
    const node = await testNode(filter, {});
    const [out] = await node.input({ _msgid: 'm1', payload: 5, topic: 't', extra: { x: 1 } });
    expect(out?.msg).toEqual({ _msgid: 'm1', payload: 5, topic: 't', extra: { x: 1 } });
  });

  it('keeps a reference per topic by default, and one shared reference without', async () => {
    const inputs = [
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 2 },
    ];
    expect(await passed({}, inputs)).toEqual(['a=1', 'b=1', 'b=2']);
    expect(await passed({ separateTopics: false }, inputs)).toEqual(['a=1', 'b=2']);
  });

  it('block-first only records the first value', async () => {
    expect(await passed({ startup: 'block-first' }, [5, 5, 6])).toEqual([6]);
  });

  it('compares a nested property', async () => {
    const node = await testNode(filter, { property: 'payload.temperature' });
    await node.input({ payload: { temperature: 20, at: 1 } });
    await node.input({ payload: { temperature: 20, at: 2 } });
    await node.input({ payload: { temperature: 21, at: 3 } });
    expect(node.output().map((m) => (m.payload as { at: number }).at)).toEqual([1, 3]);
  });

  it('forgets a topic\'s reference on msg.reset, without sending the reset message', async () => {
    const node = await testNode(filter, {});
    await node.input({ topic: 'a', payload: 1 });
    await node.input({ topic: 'b', payload: 1 });
    expect(await node.input({ topic: 'a', reset: true })).toEqual([]);
    await node.input({ topic: 'a', payload: 1 });
    await node.input({ topic: 'b', payload: 1 });
    expect(node.output().map((m) => m.topic)).toEqual(['a', 'b', 'a']);
  });

  it('keeps at most maxTopics references, forgetting the least recently seen', async () => {
    const inputs = ['a', 'b', 'a', 'c', 'a', 'b'].map((topic) => ({ topic, payload: 0 }));
    // a stays recent, so c evicts b; b's next message counts as its first again.
    expect(await passed({ maxTopics: 2 }, inputs)).toEqual(['a=0', 'b=0', 'c=0', 'b=0']);
  });
});

describe('filter: deadband and narrowband', () => {
  it('deadband passes a change of at least band from the last value sent', async () => {
    // Against the last sent value, a slow drift is reported once it adds up to the band.
    expect(await passed({ mode: 'deadband', band: 1 }, [10, 10.4, 10.8, 11, 11.5, 9.9])).toEqual([10, 11, 9.9]);
  });

  it('deadband against the last input only reports steps of at least band', async () => {
    expect(await passed({ mode: 'deadband', band: 1, compareTo: 'last-input' }, [10, 10.4, 10.8, 11, 11.5, 12.5])).toEqual([10, 12.5]);
  });

  it('deadband in percent of the reference', async () => {
    expect(await passed({ mode: 'deadband', band: 10, bandUnit: 'percent' }, [100, 109, 110, 120, 133])).toEqual([100, 110, 133]);
  });

  it('never passes an unchanged value, even with a zero percent band', async () => {
    expect(await passed({ mode: 'deadband', band: 10, bandUnit: 'percent' }, [0, 0, 0.1])).toEqual([0, 0.1]);
  });

  it('accepts numeric strings', async () => {
    expect(await passed({ mode: 'deadband', band: 1 }, ['10', '10.5', '11'])).toEqual(['10', '11']);
  });

  it('narrowband blocks spikes beyond the band', async () => {
    expect(await passed({ mode: 'narrowband', band: 5 }, [20, 21, 80, 22, 27.5, 26])).toEqual([20, 21, 22, 26]);
  });

  it('raises INPUT_INVALID for a value that is not a number, naming the property', async () => {
    const node = await testNode(filter, { mode: 'deadband', band: 1, property: 'payload.value' });
    const error = await node.input({ payload: { value: 'high' } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({ code: 'INPUT_INVALID', message: expect.stringContaining('payload.value') });
  });

  it('rejects a deadband config without a band, at the band field', () => {
    const result = filter.config.safeParse({ mode: 'deadband' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['band'], message: 'band must be more than 0 in deadband mode' });
  });

  it('rejects unknown config keys and bad paths', () => {
    expect(filter.config.safeParse({ deadband: 1 }).success).toBe(false);
    expect(filter.config.safeParse({ property: 'payload..x' }).success).toBe(false);
  });
});

describe('filter: tag values', () => {
  const tag = (value: unknown, quality: 'good' | 'uncertain' | 'bad' = 'good', second = 0) => ({
    value,
    quality,
    sourceTime: `2024-05-01T12:00:0${second}.000Z`,
  });

  it('compares the value of a tag, not its timestamps', async () => {
    const out = await passed({}, [tag(1, 'good', 0), tag(1, 'good', 1), tag(2, 'good', 2)]);
    expect(out.map((t) => (t as { value: number }).value)).toEqual([1, 2]);
  });

  it('always passes a change of quality, even within the deadband', async () => {
    const out = await passed({ mode: 'deadband', band: 5 }, [tag(20), tag(20.1, 'uncertain'), tag(20.2, 'uncertain'), tag(20.3), tag(26)]);
    expect(out.map((t) => (t as { quality: string }).quality)).toEqual(['good', 'uncertain', 'good', 'good']);
  });

  it('compares a bad tag without a number by content instead of failing', async () => {
    const out = await passed({ mode: 'deadband', band: 5 }, [tag(20), tag(null, 'bad'), tag(null, 'bad'), tag(21)]);
    expect(out.map((t) => (t as { value: unknown }).value)).toEqual([20, null, 21]);
  });
});
