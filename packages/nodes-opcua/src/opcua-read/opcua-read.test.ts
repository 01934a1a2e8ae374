import { join } from 'node:path';
import { NodeError, type TagValue } from '@plantwire/node-sdk';
import { testNode } from '@plantwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpcuaEndpointClient } from '../opcua-endpoint/opcua-endpoint-client.js';
import { connectEndpoint, startOpcuaPlant } from '../opcua-test-support.js';
import { opcuaRead } from './opcua-read.node.js';

const SETPOINT = 'ns=1;s=Line1.Machine1.Setpoint';
const RUNNING = 'ns=1;s=Line1.Machine1.Running';

describe('opcua-read against the simulated plant', () => {
  let env: Awaited<ReturnType<typeof startOpcuaPlant>>;
  let client: OpcuaEndpointClient;

  beforeAll(async () => {
    env = await startOpcuaPlant();
    client = (await connectEndpoint({ endpointUrl: env.plant.endpoints.opcua }, { dataDir: join(env.dir, 'client') })).client;
  }, 60_000);
  afterAll(async () => {
    await client?.dispose();
    await env?.close();
  });

  const node = (config: Record<string, unknown> = {}) => testNode(opcuaRead, { endpoint: 'plc', ...config }, { connections: { plc: client } });

  it('reads the configured node id into a TagValue, keeping the rest of the message', async () => {
    env.plant.write('Line1/Machine1/Setpoint', 66.5);
    const n = await node({ nodeIds: [SETPOINT] });
    const [out] = await n.input({ payload: 'tick', correlation: 7 });
    expect(out!.msg).toMatchObject({ topic: SETPOINT, correlation: 7, payload: { value: 66.5, quality: 'good' } });
    expect(Date.parse((out!.msg.payload as TagValue).sourceTime)).not.toBeNaN();
  });

  it('takes node ids from msg.nodeId when the config has none, several into a map', async () => {
    const n = await node();
    const [out] = await n.input({ nodeId: [SETPOINT, RUNNING] });
    const payload = out!.msg.payload as Record<string, TagValue>;
    expect(Object.keys(payload)).toEqual([SETPOINT, RUNNING]);
    expect(typeof payload[RUNNING]!.value).toBe('boolean');
  });

  it('names an unknown node id (READ_REFUSED) and a message without node ids (INPUT_INVALID)', async () => {
    const n = await node();
    await expect(n.input({ nodeId: 'ns=1;s=Nope' })).rejects.toMatchObject({ code: 'READ_REFUSED', message: expect.stringContaining('cannot read "ns=1;s=Nope": BadNodeIdUnknown') });
    const missing = await n.input({ payload: 1 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NodeError);
    expect(missing).toMatchObject({ code: 'INPUT_INVALID', details: { path: 'msg.nodeId' } });
  });
});
