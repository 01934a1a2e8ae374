import { connectionRef, defineNode, NodeError, type Message, type TagValue } from '@plantwire/node-sdk';
import * as z from 'zod';
import { opcuaEndpoint } from '../opcua-endpoint/opcua-endpoint.connection.js';
import type { OpcuaEndpointClient } from '../opcua-endpoint/opcua-endpoint-client.js';
import { isLinkFailure } from '../opcua-endpoint/link-failure.js';
import { toTagValue } from '../tag-value.js';

/** Statuses that say the node id itself is wrong (an error of the flow), not that the value is bad (data). */
const NODE_STATUSES = new Set(['BadNodeIdUnknown', 'BadNodeIdInvalid', 'BadAttributeIdInvalid', 'BadNotReadable', 'BadUserAccessDenied']);

const config = z.object({
  endpoint: connectionRef(opcuaEndpoint, { title: 'Endpoint' }),
  nodeIds: z
    .array(z.string().min(1).meta({ browse: true }))
    .default([])
    .meta({ title: 'Node ids', description: 'What to read; empty = take `msg.nodeId` (a string or an array of strings).', examples: [['ns=1;s=Line1.Machine1.Setpoint']] }),
});

function nodeIdsOf(msg: Message, configured: readonly string[]): string[] {
  if (configured.length > 0) return [...configured];
  const { nodeId } = msg;
  if (typeof nodeId === 'string' && nodeId !== '') return [nodeId];
  if (Array.isArray(nodeId) && nodeId.length > 0 && nodeId.every((n) => typeof n === 'string' && n !== '')) return nodeId as string[];
  throw new NodeError('INPUT_INVALID', 'opcua-read has no node ids in its config, so msg.nodeId must be a node id or an array of node ids', {
    details: { path: 'msg.nodeId', got: nodeId === undefined ? 'undefined' : typeof nodeId },
  });
}

/**
 * Read OPC UA variables when a message arrives. The node ids come from the config, else from
 * `msg.nodeId`. One node id: `payload` is its TagValue and `topic` the node id; several: `payload`
 * maps each node id to its TagValue. A value the server marks Bad arrives with `quality: 'bad'`;
 * a node id the server does not know is a READ_REFUSED error naming it.
 */
export const opcuaRead = defineNode({
  type: 'opcua-read',
  version: 1,
  category: 'transform',
  summary: 'Read OPC UA variables on each input message.',
  icon: 'server',
  inputs: { in: 'Triggers a read; `msg.nodeId` says what to read when the config does not.' },
  outputs: { out: 'The input message with payload = TagValue (or node id → TagValue for several).' },
  config,
  async onInput(msg, ctx) {
    const nodeIds = nodeIdsOf(msg, ctx.config.nodeIds);
    const client = ctx.connection<OpcuaEndpointClient>(ctx.config.endpoint).requireClient();
    let values;
    try {
      values = await client.read(nodeIds);
    } catch (err) {
      const what = nodeIds.map((n) => `"${n}"`).join(', ');
      // The link went down with the read on its way (a server restart): the runtime reconnects.
      if (isLinkFailure(err, client)) {
        throw new NodeError('NOT_CONNECTED', `reading ${what} from ${client.endpointUrl} failed: the connection was lost (${(err as Error).message})`, {
          cause: err,
          details: { connection: ctx.config.endpoint, nodeIds },
        });
      }
      throw new NodeError('READ_REFUSED', `cannot read ${what} from ${client.endpointUrl}: ${(err as Error).message}`, { cause: err });
    }
    const result: Record<string, TagValue> = {};
    nodeIds.forEach((nodeId, i) => {
      const dv = values[i]!;
      if (NODE_STATUSES.has(dv.statusCode.name)) {
        throw new NodeError('READ_REFUSED', `OPC UA server ${client.endpointUrl} cannot read "${nodeId}": ${dv.statusCode.name}`, {
          details: { connection: ctx.config.endpoint, nodeId, status: dv.statusCode.name },
        });
      }
      result[nodeId] = toTagValue(dv);
    });
    if (nodeIds.length === 1) return { ...msg, topic: nodeIds[0]!, payload: result[nodeIds[0]!] };
    return { ...msg, payload: result };
  },
});
