import { connectionRef, defineNode, NodeError, type Message } from '@plantwire/node-sdk';
import * as z from 'zod';
import { CodecError, encodeValue, removeScaling, type RawValue } from '../codec.js';
import { ModbusRequestError, type ModbusDeviceClient } from '../modbus-device/modbus-client.js';
import { modbusDevice } from '../modbus-device/modbus-device.connection.js';
import { registerMapSchema, tagSpan, tagType, type ModbusWriteTag } from '../tag-schema.js';

const configSchema = z.object({
  device: connectionRef(modbusDevice, { title: 'Device' }),
  tags: registerMapSchema({ writable: true }).meta({
    title: 'Tags',
    description: 'The tags this node may write (holding registers and coils). A message picks one by `msg.topic`; with a single tag the topic may be left out.',
  }),
  multipleWrite: z.boolean().default(false).meta({
    title: 'Always use "write multiple"',
    description: 'Write single registers and coils with FC16/FC15 instead of FC6/FC5, for devices that only implement the multiple-write functions.',
  }),
});

function pickTag(tags: readonly ModbusWriteTag[], msg: Message): ModbusWriteTag {
  const byTopic = typeof msg.topic === 'string' ? tags.find((t) => t.name === msg.topic) : undefined;
  if (byTopic) return byTopic;
  if (tags.length === 1 && (msg.topic === undefined || msg.topic === '')) return tags[0]!;
  const names = tags.map((t) => `"${t.name}"`).join(', ');
  throw new NodeError('INPUT_INVALID', `msg.topic ${msg.topic === undefined ? 'is missing' : JSON.stringify(msg.topic) + ' names no tag'}; this node writes ${names}`, {
    details: { field: 'msg.topic' },
  });
}

/** msg.payload (or a TagValue's `value`) as the raw value its tag type takes; numeric and boolean text is accepted. */
function payloadValue(payload: unknown, type: string): RawValue {
  const value = payload !== null && typeof payload === 'object' && 'value' in payload ? (payload as { value: unknown }).value : payload;
  if (type === 'string' && typeof value === 'string') return value;
  if (type === 'bool') {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  if (typeof value === 'string' && type !== 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return type === 'int64' || type === 'uint64' ? value.trim() : Number(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'string') return value;
  throw new NodeError('INPUT_INVALID', `msg.payload must be a ${type === 'bool' ? 'boolean' : type === 'string' ? 'string' : 'number'} for a ${type} tag, got ${value === null ? 'null' : typeof value}`, {
    details: { field: 'msg.payload' },
  });
}

/**
 * Write one tag of a Modbus device per message, with the inverse of the read encoding (scale and
 * offset removed, byte and word order applied): FC6/FC16 for holding registers, FC5/FC15 for coils.
 * The message passes on once the device acknowledged. A Modbus exception is a node error
 * DEVICE_EXCEPTION with its meaning, naming the device, unit, tag and address.
 */
export const modbusWrite = defineNode({
  type: 'modbus-write',
  version: 1,
  category: 'sink',
  summary: 'Write a tag (holding register or coil) of a Modbus device.',
  icon: 'upload',
  inputs: { in: 'msg.topic names the tag (optional with one tag); msg.payload is the value (a number, boolean or string, or a TagValue).' },
  outputs: { out: 'The input message, once the device acknowledged the write.' },
  config: configSchema,
  privileged: (config) => `writes to Modbus device "${config.device}": ${config.tags.map(describeTag).join(', ')}`,
  async onInput(msg, ctx) {
    const tag = pickTag(ctx.config.tags, msg);
    const client = ctx.connection<ModbusDeviceClient>(ctx.config.device).requireClient();
    const type = tagType(tag);
    const unitId = tag.unitId ?? client.settings.unitId;
    const span = tagSpan(tag);
    const where = `${client.label} unit ${unitId}, tag "${tag.name}" (${tag.area} ${span > 1 ? `${tag.address}–${tag.address + span - 1}` : tag.address})`;
    let words: number[];
    const value = payloadValue(msg.payload, type);
    const target = { connection: ctx.config.device, unitId, area: tag.area, address: tag.address, tag: tag.name };
    try {
      const raw = removeScaling(value, tag, type);
      words = encodeValue(raw, { type, length: tag.length, wordOrder: tag.wordOrder ?? client.settings.wordOrder, byteOrder: tag.byteOrder ?? client.settings.byteOrder });
    } catch (err) {
      if (err instanceof CodecError) throw new NodeError('INPUT_INVALID', `cannot write ${where}: ${err.message}`, { cause: err, details: { field: 'msg.payload' } });
      throw err;
    }
    try {
      if (tag.area === 'coil') await client.writeCoils(unitId, tag.address, words.map(Boolean), ctx.config.multipleWrite);
      else await client.writeRegisters(unitId, tag.address, words, ctx.config.multipleWrite);
    } catch (err) {
      ctx.audit({ action: 'write', target, value, error: err instanceof ModbusRequestError ? err.reason : (err as Error).message });
      if (!(err instanceof ModbusRequestError)) throw err;
      const code = err.kind === 'exception' ? 'DEVICE_EXCEPTION' : err.kind === 'timeout' ? 'TIMEOUT' : err.kind === 'not-connected' ? 'NOT_CONNECTED' : 'NODE_FAILED';
      throw new NodeError(code, `writing ${where} failed: ${err.reason}`, {
        cause: err,
        details: { device: client.label, unitId, tag: tag.name, area: tag.area, address: tag.address, ...(err.exceptionCode === undefined ? {} : { exceptionCode: err.exceptionCode }) },
      });
    }
    ctx.audit({ action: 'write', target, value });
    return msg;
  },
});

/** `holding 100–103 (unit 2)`: what a tag may write, for the deploy's elevation reason. */
function describeTag(tag: ModbusWriteTag): string {
  const span = tagSpan(tag);
  return `${tag.area} ${span > 1 ? `${tag.address}–${tag.address + span - 1}` : tag.address}${tag.unitId === undefined ? '' : ` (unit ${tag.unitId})`}`;
}
