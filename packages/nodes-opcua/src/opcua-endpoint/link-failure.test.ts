import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { opcuaRead } from '../opcua-read/opcua-read.node.js';
import { opcuaWrite } from '../opcua-write/opcua-write.node.js';
import { isLinkFailure } from './link-failure.js';
import type { OpcuaEndpointClient } from './opcua-endpoint-client.js';

const SETPOINT = 'ns=1;s=Line1.Machine1.Setpoint';
/** What node-opcua rejects a request with when the server restarts under it. */
const channelClosed = () => new Error('Invalid Channel BadConnectionClosed');

/** A client whose requests fail as `fail()` says (only what the read and write nodes use). */
function failingClient(fail: () => Error, isOpen = true): OpcuaEndpointClient {
  return {
    endpointUrl: 'opc.tcp://127.0.0.1:4840/UA/Plant',
    isOpen,
    dataTypeOf: async () => 11, // Double
    write: async () => Promise.reject(fail()),
    read: async () => Promise.reject(fail()),
  } as unknown as OpcuaEndpointClient;
}

describe('a request cut off by a lost link is NOT_CONNECTED, naming the node id and the endpoint', () => {
  it('tells a closed channel or session, or a client let go, from other failures', () => {
    expect(isLinkFailure(channelClosed(), { isOpen: true })).toBe(true);
    expect(isLinkFailure(new Error('BadSessionIdInvalid (0x80250000)'), { isOpen: true })).toBe(true);
    expect(isLinkFailure(new Error('anything'), { isOpen: false })).toBe(true);
    expect(isLinkFailure(new Error('BadNodeIdUnknown'), { isOpen: true })).toBe(false);
    expect(isLinkFailure(new Error('BadConnectionClosedX'), { isOpen: true })).toBe(false);
  });

  it('opcua-write: NOT_CONNECTED (was an unaddressed NODE_FAILED "Invalid Channel BadConnectionClosed")', async () => {
    const node = await testNode(opcuaWrite, { endpoint: 'plc', nodeId: SETPOINT }, { connections: { plc: failingClient(channelClosed) } });
    await expect(node.input({ payload: 42 })).rejects.toMatchObject({
      code: 'NOT_CONNECTED',
      message: `writing "${SETPOINT}" on opc.tcp://127.0.0.1:4840/UA/Plant failed: the connection was lost (Invalid Channel BadConnectionClosed)`,
      details: { connection: 'plc', nodeId: SETPOINT },
    });
  });

  it('opcua-write: other failures of the write keep their own error', async () => {
    const node = await testNode(opcuaWrite, { endpoint: 'plc', nodeId: SETPOINT }, { connections: { plc: failingClient(() => new Error('boom')) } });
    await expect(node.input({ payload: 42 })).rejects.toThrow('boom');
  });

  it('opcua-read: NOT_CONNECTED (was READ_REFUSED) for a lost link, READ_REFUSED otherwise', async () => {
    const lost = await testNode(opcuaRead, { endpoint: 'plc', nodeIds: [SETPOINT] }, { connections: { plc: failingClient(channelClosed) } });
    await expect(lost.input({ payload: 'tick' })).rejects.toMatchObject({ code: 'NOT_CONNECTED', details: { connection: 'plc', nodeIds: [SETPOINT] } });
    const refused = await testNode(opcuaRead, { endpoint: 'plc', nodeIds: [SETPOINT] }, { connections: { plc: failingClient(() => new Error('BadTooManyOperations')) } });
    await expect(refused.input({ payload: 'tick' })).rejects.toMatchObject({ code: 'READ_REFUSED' });
  });
});
