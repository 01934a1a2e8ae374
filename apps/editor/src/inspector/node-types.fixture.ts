/**
 * The real manifests, as `GET /api/node-types` serves them, for the inspector's tests: written by
 * `pnpm generate` from the node definitions and checked by `pnpm check:generated`, because the
 * editor may not import the node packages themselves.
 */
import type { ConnectionManifest, NodeManifest, NodeTypesResponse } from '@plantwire/protocol';
import nodeTypes from './fixtures/node-types.json' with { type: 'json' };

export const fixtureTypes = nodeTypes as unknown as NodeTypesResponse;

export function nodeManifest(type: string): NodeManifest {
  const m = fixtureTypes.nodes.find((n) => n.type === type);
  if (!m) throw new Error(`no node type "${type}" in fixtures/node-types.json`);
  return m;
}

export function connectionManifest(type: string): ConnectionManifest {
  const m = fixtureTypes.connections.find((n) => n.type === type);
  if (!m) throw new Error(`no connection type "${type}" in fixtures/node-types.json`);
  return m;
}
