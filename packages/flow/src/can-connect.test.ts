import { describe, expect, it } from 'vitest';
import { canConnect, checkPortEnd, outputPortsOf } from './can-connect.js';
import type { NodeTypeInfo } from './issues.js';

const inject: NodeTypeInfo = { kind: 'node', version: 1, inputs: [], outputs: ['out'] };
const sw: NodeTypeInfo = { kind: 'node', version: 1, inputs: ['in'], outputs: ['match', 'otherwise'] };
const debug: NodeTypeInfo = { kind: 'node', version: 1, inputs: ['in'], outputs: [] };
const broker: NodeTypeInfo = { kind: 'connection', version: 1, inputs: [], outputs: [] };

describe('canConnect', () => {
  it('allows output → input, including the implicit error port and self-wires', () => {
    expect(canConnect({ info: inject, port: 'out' }, { info: sw, port: 'in' })).toEqual({ ok: true });
    expect(canConnect({ info: sw, port: 'otherwise' }, { info: debug, port: 'in' })).toEqual({ ok: true });
    expect(canConnect({ info: debug, port: 'error' }, { info: sw, port: 'in' })).toEqual({ ok: true });
    expect(canConnect({ info: sw, port: 'match' }, { info: sw, port: 'in' })).toEqual({ ok: true });
  });

  it('refuses input → anything and anything → output', () => {
    expect(canConnect({ info: sw, port: 'in' }, { info: debug, port: 'in' })).toMatchObject({ ok: false, code: 'WIRE_DIRECTION', end: 'from' });
    expect(canConnect({ info: inject, port: 'out' }, { info: sw, port: 'match' })).toMatchObject({ ok: false, code: 'WIRE_DIRECTION', end: 'to' });
    expect(canConnect({ info: inject, port: 'out' }, { info: sw, port: 'error' })).toMatchObject({ ok: false, code: 'WIRE_DIRECTION', end: 'to' });
  });

  it('refuses ports that do not exist, listing those that do', () => {
    expect(canConnect({ info: sw, port: 'else', node: 'route' }, { info: debug, port: 'in' })).toEqual({
      ok: false,
      code: 'PORT_UNKNOWN',
      end: 'from',
      reason: 'node "route" has no output port "else"; its outputs are: match, otherwise, error',
    });
    expect(canConnect({ info: inject, port: 'out' }, { info: inject, port: 'in' })).toEqual({
      ok: false,
      code: 'PORT_UNKNOWN',
      end: 'to',
      reason: 'the node has no input port "in"; its inputs are: (none)',
    });
  });

  it('refuses connections at either end', () => {
    expect(canConnect({ info: broker, port: 'out' }, { info: debug, port: 'in' })).toMatchObject({ ok: false, code: 'WIRE_TO_CONNECTION', end: 'from' });
    expect(canConnect({ info: inject, port: 'out' }, { info: broker, port: 'in', node: 'plant-broker' })).toMatchObject({
      ok: false,
      code: 'WIRE_TO_CONNECTION',
      end: 'to',
      reason: expect.stringContaining('node "plant-broker" is a connection'),
    });
  });
});

describe('checkPortEnd and outputPortsOf', () => {
  it('checks one end alone', () => {
    expect(checkPortEnd({ info: debug, port: 'in' }, 'to')).toEqual({ ok: true });
    expect(checkPortEnd({ info: debug, port: 'in' }, 'from')).toMatchObject({ ok: false, code: 'WIRE_DIRECTION' });
  });

  it('adds the error port once', () => {
    expect(outputPortsOf(sw)).toEqual(['match', 'otherwise', 'error']);
    expect(outputPortsOf({ ...sw, outputs: ['out', 'error'] })).toEqual(['out', 'error']);
  });
});
