import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import { modbusDevice } from './modbus-device/modbus-device.connection.js';
import { modbusRead } from './modbus-read/modbus-read.node.js';
import { modbusWrite } from './modbus-write/modbus-write.node.js';

export * from './codec.js';
export * from './request-plan.js';
export * from './tag-schema.js';
export { ModbusDeviceClient, ModbusRequestError, MODBUS_EXCEPTIONS, describeException, type ModbusDeviceSettings, type ModbusFailureKind } from './modbus-device/modbus-client.js';
export { changed, readPlanFor, runPollCycle, type PollCycleOptions, type ReadPlan, type ResolvedTag, type UnitHealth } from './modbus-read/poll-cycle.js';
export { modbusDevice, modbusRead, modbusWrite };
export type { ModbusReadState, ModbusReadStats } from './modbus-read/modbus-read.node.js';

/** Every Modbus node type, for handing to a runtime, the CLI, the docs generator. */
export const modbusNodes: readonly AnyNodeType[] = [modbusRead, modbusWrite];

/** Every Modbus connection type (`modbus-device`). */
export const modbusConnections: readonly AnyConnectionType[] = [modbusDevice];
