import { describe, expect, it } from 'vitest';
import { statusNode } from './status.node.js';

describe('status', () => {
  it('watches status events of its tab by default, or of all nodes, or of listed ids', () => {
    expect(statusNode.watches!(statusNode.config.parse({}))).toEqual({ event: 'status', scope: 'tab' });
    expect(statusNode.watches!(statusNode.config.parse({ scope: 'all' }))).toEqual({ event: 'status', scope: 'all' });
    expect(statusNode.watches!(statusNode.config.parse({ scope: ['mqtt-in-1'] }))).toEqual({ event: 'status', scope: ['mqtt-in-1'] });
  });

  it('is fed by the runtime only and rejects a bad scope', () => {
    expect(statusNode.inputs).toEqual({});
    expect(statusNode.onInput).toBeUndefined();
    expect(statusNode.config.safeParse({ scope: [''] }).success).toBe(false);
  });
});
