// The fault-injection suite (docs/faults.md): one file, so the cases run one after the other in
// this order and never compete with each other for the two cores or for memory figures.
//
// Case 5 (zero loss end to end through a broker outage and a SIGKILL, ./cases/end-to-end-loss.ts)
// is written but not run yet: against the at-least-once and store-and-forward work in progress
// it stalls after the broker restarts (docs/faults.md#findings). Add `endToEndLossCases();` below
// once that work has landed.
import { describe } from 'vitest';
import { floodCases } from './cases/flood.js';
import { modbusRestartCase } from './cases/modbus-restart.js';
import { opcuaRestartCase } from './cases/opcua-restart.js';
import { proxyFaultCases } from './cases/proxy-faults.js';

describe.sequential('fault injection', () => {
  modbusRestartCase();
  opcuaRestartCase();
  proxyFaultCases();
  floodCases();
});
