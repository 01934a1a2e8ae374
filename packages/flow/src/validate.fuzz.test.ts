// Fuzz: 10,000 mutations of valid flow documents never make `validate` throw, hang or answer
// without an address. Types here are the flow package's test types (it imports no node package);
// apps/server/src/flow-document.fuzz.test.ts runs the same mutations against the real node types.
// A failure prints fast-check's seed and path; rerun with FUZZ_SEED=<seed> to reproduce.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalStringify } from './canonical-stringify.js';
import { issueProblems, issueSummary, mutateDocument, mutateText, mutationArb, textMutationArb, timed } from './fixtures/flow-mutations.js';
import { fixtureEnv, fixtureText, lookupTypes } from './fixtures/test-node-types.js';
import { parseDocumentText } from './parse-document-text.js';
import { validate, type ValidateOptions } from './validate.js';

const seed = Number(process.env['FUZZ_SEED'] ?? 20261206);
/** Per validation; generous because the suite shares two busy cores with other tests. */
const TIME_BOUND_MS = 2_000;

const example = (name: string): string => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');

/** Valid seeds, each with the options it validates clean under. Examples use real types, unknown here, so they are checked structurally. */
const seeds: ReadonlyArray<{ readonly name: string; readonly text: string; readonly options: ValidateOptions }> = [
  { name: 'line-3-oven', text: fixtureText(), options: { nodeTypes: lookupTypes(), env: fixtureEnv } },
  { name: 'demo', text: example('demo.flow.json'), options: {} },
  { name: 'line-monitor', text: example('line-monitor.flow.json'), options: { env: { MQTT_URL: 'mqtt://127.0.0.1', MODBUS_HOST: '127.0.0.1', MODBUS_PORT: '502', OPCUA_URL: 'opc.tcp://127.0.0.1:4840' } } },
];

/** Validate, then check the answer whatever the input: bounded time, addressed issues, a stable canonical round trip. */
function checkValidate(input: unknown, options: ValidateOptions): void {
  const { result, ms } = timed(() => validate(input, options));
  expect(ms, 'validate took too long').toBeLessThan(TIME_BOUND_MS);
  expect(issueProblems(input, result.issues)).toEqual([]);
  expect(result.ok).toBe(!result.issues.some((i) => i.severity === 'error'));
  if (!result.ok) return;
  expect(result.document).toBeDefined();
  const text = canonicalStringify(result.document!);
  const parsed = parseDocumentText(text);
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  const again = validate(parsed.value, options);
  expect(again.ok).toBe(true);
  expect(issueSummary(again.issues)).toEqual(issueSummary(result.issues));
  expect(canonicalStringify(again.document!)).toBe(text);
}

describe('validate under fuzzing', () => {
  it('the seeds are valid', () => {
    for (const s of seeds) expect(validate(JSON.parse(s.text), s.options).ok, s.name).toBe(true);
  });

  it('8,000 structural mutations: never throws, bounded, every issue addressed, accepted documents round-trip', { timeout: 90_000 }, () => {
    const seedArb = fc.constantFrom(...seeds);
    fc.assert(
      fc.property(seedArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (s, mutations) => {
        checkValidate(mutateDocument(JSON.parse(s.text), mutations), s.options);
      }),
      { seed, numRuns: 8_000 },
    );
  });

  it('2,000 text mutations through parseDocumentText: INVALID_JSON with line and column, or a validation', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(textMutationArb, { minLength: 1, maxLength: 3 }), (s, mutations) => {
        const text = mutateText(s.text, mutations);
        const parsed = parseDocumentText(text);
        if (!parsed.ok) {
          expect(parsed.issue.code).toBe('INVALID_JSON');
          expect(parsed.issue.path).toBe('$');
          expect(parsed.issue.message).toMatch(/^invalid JSON at line \d+, column \d+: /);
          return;
        }
        checkValidate(parsed.value, s.options);
      }),
      { seed, numRuns: 2_000 },
    );
  });

  it('regressions', () => {
    // Examples fast-check found; kept so they stay fixed whatever the seed.
    const oven = JSON.parse(seeds[0]!.text) as Record<string, unknown>;
    checkValidate(mutateDocument(oven, [{ op: 'prototype-key', at: 0, key: '__proto__', value: { polluted: true } }]), seeds[0]!.options);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();

    // A config nested 5,000 levels deep overflowed the stack in substituteEnv: INTERNAL_ERROR at `$`.
    // Now one SCHEMA_INVALID at the first too-deep value, with the node's id.
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = { a: deep };
    (oven['nodes'] as Array<{ config: Record<string, unknown> }>)[0]!.config['payload'] = deep;
    const result = validate(oven, seeds[0]!.options);
    expect(result.issues).toEqual([expect.objectContaining({ code: 'SCHEMA_INVALID', nodeId: 'oven-tick', message: expect.stringMatching(/nested more than 256 levels/) })]);
    expect(result.issues[0]!.path).toMatch(/^\$\.nodes\[0\]\.config\.payload(\.a){250,}$/);
    expect(issueProblems(oven, result.issues)).toEqual([]);
  });
});
