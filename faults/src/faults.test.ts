// The fault-injection suite (docs/faults.md): one file, so the cases run one after the other in
// this order and never compete with each other for the two cores or for memory figures.
import { describe } from 'vitest';
import { endToEndLossCases } from './cases/end-to-end-loss.js';
import { floodCases } from './cases/flood.js';
import { modbusRestartCase } from './cases/modbus-restart.js';
import { opcuaRestartCase } from './cases/opcua-restart.js';
import { proxyFaultCases } from './cases/proxy-faults.js';
import { redeployUnderLoadCase } from './cases/redeploy-under-load.js';

describe.sequential('fault injection', () => {
  modbusRestartCase();
  opcuaRestartCase();
  proxyFaultCases();
  floodCases();
  endToEndLossCases();
  redeployUnderLoadCase();
});
