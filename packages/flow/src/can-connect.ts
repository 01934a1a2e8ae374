import type { NodeTypeInfo } from './issues.js';

/** The implicit output every node has; the runtime routes a node's errors there when it is wired. */
export const IMPLICIT_ERROR_PORT = 'error';

/** One end of a prospective wire: the type of the node there, the port, and optionally the node id (used in the reason). */
export interface PortEnd {
  readonly info: NodeTypeInfo;
  readonly port: string;
  /** The node's id, only to make the reason read `node "scale" has no …`. */
  readonly node?: string;
}

/** Why a wire end is refused; `code` is the validation issue code the same refusal produces. */
export interface ConnectRefusal {
  readonly ok: false;
  readonly reason: string;
  readonly code: 'PORT_UNKNOWN' | 'WIRE_DIRECTION' | 'WIRE_TO_CONNECTION';
  /** Which end is at fault. */
  readonly end: 'from' | 'to';
}

/** What {@link canConnect} and {@link checkPortEnd} return. */
export type ConnectCheck = { readonly ok: true } | ConnectRefusal;

const outputPorts = new WeakMap<readonly string[], readonly string[]>();

/** A node type's output ports including the implicit `error` port. */
export function outputPortsOf(info: NodeTypeInfo): readonly string[] {
  if (info.outputs.includes(IMPLICIT_ERROR_PORT)) return info.outputs;
  // Worked out once per type: validation asks for every end of every wire.
  let ports = outputPorts.get(info.outputs);
  if (ports === undefined) outputPorts.set(info.outputs, (ports = Object.freeze([...info.outputs, IMPLICIT_ERROR_PORT])));
  return ports;
}

const OK: ConnectCheck = Object.freeze({ ok: true });

/**
 * Check one end of a wire: a `from` end must be an output port (declared, or the implicit
 * `error`), a `to` end a declared input port, and neither may be a connection type (connections
 * are referenced from config, never wired).
 */
export function checkPortEnd(end: PortEnd, side: 'from' | 'to'): ConnectCheck {
  if (end.info.kind !== 'connection') {
    // The common answer, before any text is made for a refusal.
    if (side === 'from' ? outputPortsOf(end.info).includes(end.port) : end.info.inputs.includes(end.port)) return OK;
  }
  const who = end.node === undefined ? 'the node' : `node "${end.node}"`;
  if (end.info.kind === 'connection') {
    return {
      ok: false,
      end: side,
      code: 'WIRE_TO_CONNECTION',
      reason: `${who} is a connection; connections have no ports and are referenced by id from node config, not wired`,
    };
  }
  const outputs = outputPortsOf(end.info);
  const inputs = end.info.inputs;
  if (side === 'from') {
    if (inputs.includes(end.port)) {
      return { ok: false, end: side, code: 'WIRE_DIRECTION', reason: `a wire must start at an output port, but "${end.port}" is an input of ${who}; its outputs are: ${list(outputs)}` };
    }
    return { ok: false, end: side, code: 'PORT_UNKNOWN', reason: `${who} has no output port "${end.port}"; its outputs are: ${list(outputs)}` };
  }
  if (outputs.includes(end.port)) {
    return { ok: false, end: side, code: 'WIRE_DIRECTION', reason: `a wire must end at an input port, but "${end.port}" is an output of ${who}; its inputs are: ${list(inputs)}` };
  }
  return { ok: false, end: side, code: 'PORT_UNKNOWN', reason: `${who} has no input port "${end.port}"; its inputs are: ${list(inputs)}` };
}

/**
 * The single rule for whether a wire may go from one port to another, shared by the editor (while
 * dragging) and `validate()` (on load and deploy): output → input only, both ports exist, neither
 * end is a connection. A wire from a node to itself is allowed (a retry loop can be intended).
 *
 * @example
 * canConnect({ info: changeInfo, port: 'out' }, { info: debugInfo, port: 'in' }) // { ok: true }
 * canConnect({ info: debugInfo, port: 'in' }, { info: changeInfo, port: 'in' })
 * // { ok: false, code: 'WIRE_DIRECTION', end: 'from', reason: 'a wire must start at an output port, …' }
 */
export function canConnect(from: PortEnd, to: PortEnd): ConnectCheck {
  const source = checkPortEnd(from, 'from');
  if (!source.ok) return source;
  return checkPortEnd(to, 'to');
}

function list(ports: readonly string[]): string {
  return ports.length === 0 ? '(none)' : ports.join(', ');
}
