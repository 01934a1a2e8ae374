import { describe, expect, it } from 'vitest';
import { checkWire } from './connection-rules.js';
import { demoDocument, manifestOf } from './fixtures.js';

const doc = demoDocument();
const typeOf = (id: string) => doc.nodes.find((n) => n.id === id)?.type;

describe('checkWire', () => {
  it('accepts output → input, including the implicit error port', () => {
    expect(checkWire({ source: 'tick', sourceHandle: 'out', target: 'print', targetHandle: 'in' }, typeOf, manifestOf)).toEqual({ ok: true });
    expect(checkWire({ source: 'scale', sourceHandle: 'error', target: 'print', targetHandle: 'in' }, typeOf, manifestOf).ok).toBe(true);
  });

  it('refuses what the server would refuse, with its code and reason', () => {
    const backwards = checkWire({ source: 'print', sourceHandle: 'in', target: 'scale', targetHandle: 'in' }, typeOf, manifestOf);
    expect(backwards).toMatchObject({ ok: false, code: 'WIRE_DIRECTION', end: 'from' });
    const unknownPort = checkWire({ source: 'tick', sourceHandle: 'out', target: 'scale', targetHandle: 'nope' }, typeOf, manifestOf);
    expect(unknownPort).toMatchObject({ ok: false, code: 'PORT_UNKNOWN', end: 'to' });
    expect(!unknownPort.ok && unknownPort.reason).toContain('node "scale" has no input port "nope"');
  });

  it('refuses a node whose type the server does not know', () => {
    const result = checkWire({ source: 'ghost', sourceHandle: 'out', target: 'print', targetHandle: 'in' }, () => 'ghost-type', manifestOf);
    expect(result).toMatchObject({ ok: false, end: 'from' });
  });
});
