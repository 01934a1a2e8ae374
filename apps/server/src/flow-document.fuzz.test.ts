// Fuzz: mutated flow documents against the real node types (core, MQTT, Modbus, OPC UA), so every
// config schema is exercised. validate never throws, hangs or answers without an address, and
// runtime.deploy refuses an invalid document leaving the running flow untouched. Lives here, not
// in packages/flow or packages/runtime, because only an app may import every node package.
// A failure prints fast-check's seed and path; rerun with FUZZ_SEED=<seed> to reproduce.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalStringify, validate, type ValidateOptions } from '@plantwire/flow';
import { createRegistry } from '@plantwire/node-sdk';
import { coreNodes } from '@plantwire/nodes-core';
import { modbusConnections, modbusNodes } from '@plantwire/nodes-modbus';
import { mqttConnections, mqttNodes } from '@plantwire/nodes-mqtt';
import { opcuaConnections, opcuaNodes } from '@plantwire/nodes-opcua';
import { createRuntime } from '@plantwire/runtime';
import { issueProblems, issueSummary, mutateDocument, mutationArb, timed } from '../../../packages/flow/src/fixtures/flow-mutations.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);
const TIME_BOUND_MS = 2_000;

const nodeTypes = [...coreNodes, ...mqttNodes, ...modbusNodes, ...opcuaNodes];
const connectionTypes = [...mqttConnections, ...modbusConnections, ...opcuaConnections];
const registry = createRegistry(nodeTypes, connectionTypes);
// Closed ports on 127.0.0.1: a mutated document that still deploys connects nowhere.
const env = { MQTT_URL: 'mqtt://127.0.0.1:1', MODBUS_HOST: '127.0.0.1', MODBUS_PORT: '1', OPCUA_URL: 'opc.tcp://127.0.0.1:1' };
const options: ValidateOptions = { nodeTypes: registry.info, env };

const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8'));
const seeds = [example('demo.flow.json'), example('line-monitor.flow.json')];

describe('flow documents under fuzzing, real node types', () => {
  const runtime = createRuntime({ nodeTypes, connectionTypes, env, closeTimeoutMs: 1_000, connectTimeoutMs: 500, drainTimeoutMs: 500 });
  afterAll(() => runtime.stop());

  it('the seeds are valid', () => {
    for (const s of seeds) expect(validate(s, options).issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('3,000 mutations: validate never throws, is bounded, addresses every issue, round-trips what it accepts', { timeout: 90_000 }, () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (doc, mutations) => {
        const input = mutateDocument(doc, mutations);
        const { result, ms } = timed(() => validate(input, options));
        expect(ms).toBeLessThan(TIME_BOUND_MS);
        expect(issueProblems(input, result.issues)).toEqual([]);
        if (!result.ok) return;
        const again = validate(JSON.parse(canonicalStringify(result.document!)), options);
        expect(again.ok).toBe(true);
        expect(issueSummary(again.issues)).toEqual(issueSummary(result.issues));
      }),
      { seed, numRuns: 3_000 },
    );
  });

  it('300 deploys of mutated documents: never throw; an invalid one leaves the running flow untouched', { timeout: 90_000 }, async () => {
    const base = seeds[0]!;
    expect((await runtime.deploy(base)).ok).toBe(true);
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const before = canonicalStringify(runtime.document!);
        const result = await runtime.deploy(mutateDocument(base, mutations));
        if (result.ok) {
          seen.accepted++;
          // It runs now; put the base back so the next case starts from it.
          expect((await runtime.deploy(base)).ok).toBe(true);
          return;
        }
        seen.refused++;
        expect(result.issues.some((i) => i.severity === 'error')).toBe(true);
        expect(canonicalStringify(runtime.document!)).toBe(before);
        expect(runtime.trigger('tick')).toBe(true);
      }),
      { seed, numRuns: 300 },
    );
    // Both paths ran: some mutations (a renamed label, a moved layout) still deploy.
    expect(seen.accepted, `seed ${seed}`).toBeGreaterThan(0);
    expect(seen.refused, `seed ${seed}`).toBeGreaterThan(0);
  });
});
