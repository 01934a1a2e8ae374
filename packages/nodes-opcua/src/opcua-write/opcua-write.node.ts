import { connectionRef, defineNode, NodeError } from '@plantwire/node-sdk';
import * as z from 'zod';
import { CoercionError, coerceValue, dataTypeName } from '../coerce-value.js';
import { opcuaEndpoint } from '../opcua-endpoint/opcua-endpoint.connection.js';
import type { OpcuaEndpointClient } from '../opcua-endpoint/opcua-endpoint-client.js';
import { isLinkFailure } from '../opcua-endpoint/link-failure.js';

const config = z.object({
  endpoint: connectionRef(opcuaEndpoint, { title: 'Endpoint' }),
  nodeId: z
    .string()
    .min(1)
    .optional()
    .meta({ title: 'Node id', browse: true, description: 'The variable to write; empty = take `msg.nodeId`.', examples: ['ns=1;s=Line1.Machine1.Setpoint'] }),
});

/**
 * Write `msg.payload` to an OPC UA variable. The variable's DataType is read from the server once
 * per session and the payload coerced to it (`"72.5"` → Double 72.5, `1` → Boolean true, integers
 * range-checked). A payload that does not fit is INPUT_INVALID; a Bad status from the server
 * (BadOutOfRange, BadNotWritable…) is WRITE_REFUSED naming the node and the status. On success the
 * input message goes out unchanged.
 */
export const opcuaWrite = defineNode({
  type: 'opcua-write',
  version: 1,
  category: 'sink',
  summary: 'Write msg.payload to an OPC UA variable.',
  icon: 'server',
  inputs: { in: 'The value to write in `payload`; `nodeId` when the config has none.' },
  outputs: { out: 'The input message, after the server accepted the write.' },
  config,
  privileged: (config) => `writes to OPC UA endpoint "${config.endpoint}": ${config.nodeId ?? 'any variable named by msg.nodeId'}`,
  async onInput(msg, ctx) {
    const nodeId = ctx.config.nodeId ?? msg.nodeId;
    if (typeof nodeId !== 'string' || nodeId === '') {
      throw new NodeError('INPUT_INVALID', 'opcua-write has no node id in its config, so msg.nodeId must be a node id string', { details: { path: 'msg.nodeId' } });
    }
    const client = ctx.connection<OpcuaEndpointClient>(ctx.config.endpoint).requireClient();
    let dataType: number;
    try {
      dataType = await client.dataTypeOf(nodeId);
    } catch (err) {
      if (isLinkFailure(err, client)) throw notConnected(err, nodeId, client, ctx.config.endpoint);
      throw new NodeError('WRITE_REFUSED', `cannot write "${nodeId}" on ${client.endpointUrl}: ${(err as Error).message}`, { cause: err, details: { nodeId } });
    }
    let value: unknown;
    try {
      value = coerceValue(msg.payload, dataType);
    } catch (err) {
      if (!(err instanceof CoercionError)) throw err;
      throw new NodeError('INPUT_INVALID', `cannot write msg.payload to "${nodeId}" (${dataTypeName(dataType)}): ${err.message}`, { details: { path: 'msg.payload', nodeId } });
    }
    let result: { good: boolean; status: string };
    const target = { connection: ctx.config.endpoint, nodeId };
    try {
      result = await client.write(nodeId, dataType, value);
    } catch (err) {
      ctx.audit({ action: 'write', target, value, error: (err as Error).message });
      // The link went down with the write on its way (a server restart): the runtime reconnects.
      if (isLinkFailure(err, client)) throw notConnected(err, nodeId, client, ctx.config.endpoint);
      throw err;
    }
    ctx.audit({ action: 'write', target, value, ...(result.good ? {} : { error: result.status }) });
    if (!result.good) {
      throw new NodeError('WRITE_REFUSED', `OPC UA server ${client.endpointUrl} refused to write ${JSON.stringify(msg.payload)} to "${nodeId}": ${result.status}`, {
        details: { connection: ctx.config.endpoint, nodeId, status: result.status },
      });
    }
    return msg;
  },
});

function notConnected(err: unknown, nodeId: string, client: OpcuaEndpointClient, connection: string): NodeError {
  return new NodeError('NOT_CONNECTED', `writing "${nodeId}" on ${client.endpointUrl} failed: the connection was lost (${(err as Error).message})`, {
    cause: err,
    details: { connection, nodeId },
  });
}
