import type { NodeManifest } from '@plantwire/protocol';

/**
 * A node's config with a new connection entry put in its reference field of that type, when
 * there is exactly one such field (not inside an array) and it is still empty; otherwise the
 * config unchanged. "New connection" from a node's form then leaves the node wired to it.
 */
export function assignConnection(config: Readonly<Record<string, unknown>>, manifest: NodeManifest, type: string, id: string): Readonly<Record<string, unknown>> {
  const fields = manifest.connections.filter((c) => c.type === type && !c.pointer.includes('*'));
  if (fields.length !== 1) return config;
  const path = fields[0]!.pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (path.length === 0) return config;
  let current: unknown = config;
  for (const key of path.slice(0, -1)) current = current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
  const last = path[path.length - 1]!;
  const holder = current && typeof current === 'object' ? (current as Record<string, unknown>) : undefined;
  if (holder?.[last] !== undefined && holder[last] !== '') return config;
  return setPath(config, path, id);
}

function setPath(value: Readonly<Record<string, unknown>>, path: readonly string[], leaf: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return { ...value };
  const child = value[head];
  return { ...value, [head]: rest.length === 0 ? leaf : setPath(child && typeof child === 'object' ? (child as Record<string, unknown>) : {}, rest, leaf) };
}
