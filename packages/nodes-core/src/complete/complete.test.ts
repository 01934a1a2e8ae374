import { describe, expect, it } from 'vitest';
import { complete } from './complete.node.js';

describe('complete', () => {
  it('watches the complete events of the listed nodes', () => {
    expect(complete.watches!(complete.config.parse({ nodes: ['write-plc', 'historian'] }))).toEqual({
      event: 'complete',
      scope: ['write-plc', 'historian'],
    });
  });

  it('requires at least one node id, reported at the nodes field', () => {
    expect(complete.config.safeParse({}).error?.issues[0]?.path).toEqual(['nodes']);
    expect(complete.config.safeParse({ nodes: [] }).error?.issues[0]).toMatchObject({ path: ['nodes'], message: 'name at least one node to watch' });
  });

  it('is fed by the runtime only', () => {
    expect(complete.inputs).toEqual({});
    expect(complete.onInput).toBeUndefined();
  });
});
