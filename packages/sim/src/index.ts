export { startPlant, type Plant, type PlantEndpoints, type PlantFaultEvent, type PlantFaults, type PlantServer, type StartPlantOptions } from './start-plant.js';
export {
  defaultScenario,
  loadScenario,
  modbusTypeOf,
  modbusWidth,
  parseScenario,
  plantScenarioSchema,
  ScenarioError,
  signalSpecSchema,
  tagPath,
  type ModbusValueType,
  type PlantScenario,
  type PlantScenarioInput,
  type ScenarioFault,
  type ScenarioTag,
  type SignalSpec,
} from './scenario.js';
export { evaluateSignal, randomAt, sampleAt, tagSeed, type SampleContext } from './signals.js';
export { createTagModel, type ModelTag, type TagModel, type TagValue, type WriteRefusal, type WriteResult } from './tag-model.js';
export { decodeRegisters, encodeRegisters, registerBindings, registerMapMarkdown, withRegisterMap, type ModbusTable, type RegisterBinding } from './register-map.js';
export type { PlantDevice } from './silence-schedule.js';
export type { PlantLog, PlantLogEntry } from './plant-log.js';
export type { OpcuaExtraVariables, OpcuaUser } from './opcua-server.js';
