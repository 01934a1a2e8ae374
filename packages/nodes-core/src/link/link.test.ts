import { toNodeTypeInfo } from '@plantwire/node-sdk';
import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { linkIn } from './link-in.node.js';
import { linkOut } from './link-out.node.js';

describe('link-out', () => {
  it('declares a virtual wire from its out port to the in port of each named link-in', () => {
    expect(linkOut.virtualWires!(linkOut.config.parse({ links: ['a', 'b'] }))).toEqual([
      { port: 'out', to: { node: 'a', port: 'in' } },
      { port: 'out', to: { node: 'b', port: 'in' } },
    ]);
    // What validation sees, derived from the definition.
    expect(toNodeTypeInfo(linkOut).virtualWires!({ links: ['a'] })).toEqual([{ port: 'out', to: { node: 'a', port: 'in' } }]);
  });

  it('has no declared outputs: its messages travel only on the virtual wires', () => {
    expect(linkOut.outputs).toEqual({});
    expect(Object.keys(linkOut.inputs)).toEqual(['in']);
  });

  it('sends every message on unchanged', async () => {
    const node = await testNode(linkOut, { links: ['a'] });
    const out = await node.input({ _msgid: 'm', payload: { v: 1 } });
    expect(out).toEqual([{ port: 'out', msg: { _msgid: 'm', payload: { v: 1 } } }]);
  });

  it('requires at least one link', () => {
    expect(linkOut.config.safeParse({ links: [] }).error?.issues[0]).toMatchObject({ path: ['links'], message: 'name at least one link-in node' });
    expect(linkOut.config.safeParse({}).success).toBe(false);
  });
});

describe('link-in', () => {
  it('has the in port that virtual wires end at, and passes messages through unchanged', async () => {
    expect(Object.keys(linkIn.inputs)).toEqual(['in']);
    expect(Object.keys(linkIn.outputs)).toEqual(['out']);
    const node = await testNode(linkIn, {});
    expect(await node.input({ _msgid: 'm', payload: 1 })).toEqual([{ port: 'out', msg: { _msgid: 'm', payload: 1 } }]);
  });

  it('has no settings', () => {
    expect(linkIn.config.safeParse({ links: ['x'] }).success).toBe(false);
  });
});
