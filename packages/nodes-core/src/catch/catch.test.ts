import { toManifest } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import { catchNode } from './catch.node.js';

describe('catch', () => {
  it('watches the errors of its tab by default', () => {
    const config = catchNode.config.parse({});
    expect(catchNode.watches!(config)).toEqual({ event: 'error', scope: 'tab', uncaughtOnly: false });
  });

  it('watches all nodes, or only listed node ids, optionally only uncaught errors', () => {
    expect(catchNode.watches!(catchNode.config.parse({ scope: 'all', uncaughtOnly: true }))).toEqual({ event: 'error', scope: 'all', uncaughtOnly: true });
    expect(catchNode.watches!(catchNode.config.parse({ scope: ['plc-1', 'scale'] }))).toMatchObject({ scope: ['plc-1', 'scale'] });
  });

  it('rejects an empty id list, an unknown scope word and unknown keys', () => {
    expect(catchNode.config.safeParse({ scope: [] }).error?.issues[0]?.path).toEqual(['scope']);
    expect(catchNode.config.safeParse({ scope: 'flow' }).success).toBe(false);
    expect(catchNode.config.safeParse({ uncaught: true }).success).toBe(false);
  });

  it('is fed by the runtime only: no inputs, no onInput, one output', () => {
    expect(catchNode.inputs).toEqual({});
    expect(catchNode.onInput).toBeUndefined();
    expect(Object.keys(catchNode.outputs)).toEqual(['out']);
  });

  it('describes its form: titled fields with defaults', () => {
    const schema = toManifest(catchNode).configSchema as { properties: Record<string, { title?: string; default?: unknown }> };
    expect(schema.properties['scope']).toMatchObject({ title: 'Scope', default: 'tab' });
    expect(schema.properties['uncaughtOnly']).toMatchObject({ title: 'Uncaught only', default: false });
  });
});
