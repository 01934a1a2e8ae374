import type { ConnectionEntry, FlowDocument, NodeEntry } from '@plantwire/flow';
import type { NodeRegistry } from '@plantwire/node-sdk';

/** A node whose deploy needs the elevated role, and why (its type's `privileged(config)`). */
export interface PrivilegedChange {
  readonly nodeId: string;
  readonly type: string;
  readonly reason: string;
}

/** JSON with sorted keys, so two equal configs compare equal whatever their key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** What of a node decides what it writes where: its type, config, on/off, and the connection entries its config names. */
function fingerprint(node: NodeEntry, connections: ReadonlyMap<string, ConnectionEntry>): string {
  // A privileged node pointed at another device (its connection entry changed) writes somewhere new.
  const used = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (connections.has(v)) used.add(v);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(node.config);
  const entries = [...used].sort().map((id) => connections.get(id));
  const n = node as NodeEntry & { disabled?: unknown };
  return stableJson({ type: node.type, config: node.config ?? {}, disabled: n.disabled ?? false, connections: entries });
}

function connectionsOf(document: FlowDocument | undefined): Map<string, ConnectionEntry> {
  return new Map((document?.connections ?? []).map((c) => [c.id, c]));
}

/**
 * The nodes of `next` that write to devices (their type has `privileged`) and are new or changed
 * against `running`: these need the elevated role to deploy. Unchanged privileged nodes are not
 * listed, so an editor can deploy other changes beside them.
 */
export function privilegedChanges(running: FlowDocument | undefined, next: FlowDocument, registry: NodeRegistry): PrivilegedChange[] {
  const before = connectionsOf(running);
  const after = connectionsOf(next);
  const old = new Map((running?.nodes ?? []).map((n) => [n.id, fingerprint(n, before)]));
  const changes: PrivilegedChange[] = [];
  for (const node of next.nodes) {
    const def = registry.get(node.type);
    if (!def?.privileged) continue;
    if (old.get(node.id) === fingerprint(node, after)) continue;
    const parsed = def.config.safeParse(node.config ?? {});
    // A config that only parses after `${ENV}` substitution still may write to a device: say so plainly.
    const reason = parsed.success ? def.privileged(parsed.data) : `${node.type} writes to devices`;
    if (reason !== undefined) changes.push({ nodeId: node.id, type: node.type, reason });
  }
  return changes;
}
