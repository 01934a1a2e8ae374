import { canConnect, type ConnectCheck, type NodeTypeInfo } from '@plantwire/flow';
import { nodeTypeInfoOf, type NodeManifest } from '@plantwire/protocol';

const infos = new WeakMap<NodeManifest, NodeTypeInfo>();

/** The wiring view of a manifest, made once per manifest (canConnect caches its port lists per info). */
export function typeInfo(manifest: NodeManifest): NodeTypeInfo {
  let info = infos.get(manifest);
  if (!info) infos.set(manifest, (info = nodeTypeInfoOf(manifest)));
  return info;
}

export interface WireEnds {
  readonly source: string;
  readonly sourceHandle?: string | null | undefined;
  readonly target: string;
  readonly targetHandle?: string | null | undefined;
}

/**
 * The editor's single gate for a new wire (`isValidConnection`): the same `canConnect` rule the
 * server's validation applies, fed from the manifests. A node of a type the server does not know
 * cannot be wired (its ports are unknown).
 */
export function checkWire(
  ends: WireEnds,
  nodeTypeOf: (nodeId: string) => string | undefined,
  manifestOf: (type: string) => NodeManifest | undefined,
): ConnectCheck {
  const fromType = nodeTypeOf(ends.source);
  const toType = nodeTypeOf(ends.target);
  const fromManifest = fromType === undefined ? undefined : manifestOf(fromType);
  const toManifest = toType === undefined ? undefined : manifestOf(toType);
  if (!fromManifest) return { ok: false, end: 'from', code: 'PORT_UNKNOWN', reason: `node "${ends.source}" is of an unknown type "${fromType ?? '?'}"` };
  if (!toManifest) return { ok: false, end: 'to', code: 'PORT_UNKNOWN', reason: `node "${ends.target}" is of an unknown type "${toType ?? '?'}"` };
  return canConnect(
    { info: typeInfo(fromManifest), port: ends.sourceHandle ?? '', node: ends.source },
    { info: typeInfo(toManifest), port: ends.targetHandle ?? '', node: ends.target },
  );
}
