import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineNode } from '@plantwire/node-sdk';
import { createRuntime } from '@plantwire/runtime';
import { auditToFile } from './audit-file.js';
import { createJsonLogger } from './json-logger.js';

/** A stand-in for a device write node: reports each input as a write (a failed one for payload "fail"). */
const fakeWriter = defineNode({
  type: 'fake-write',
  version: 1,
  category: 'sink',
  summary: 'Reports writes (test only).',
  inputs: { in: 'The value.' },
  config: z.object({}),
  onInput(msg, ctx) {
    ctx.audit({ action: 'write', target: { connection: 'plc', address: 7 }, value: msg.payload, ...(msg.payload === 'fail' ? { error: 'refused' } : {}) });
  },
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('plantwire run audit file', () => {
  it('appends each ctx.audit report to <dataDir>/audit.log as a JSON line naming the CLI user and the flow revision', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantwire-cli-audit-'));
    dirs.push(dataDir);
    const runtime = createRuntime({ nodeTypes: [fakeWriter], env: {} });
    const flowText = '{"version":1,"nodes":[{"id":"w","type":"fake-write","config":{}}],"wires":[]}';
    const stop = auditToFile(runtime, { dataDir, flowText, logger: createJsonLogger(() => {}) });
    expect((await runtime.deploy(JSON.parse(flowText))).ok).toBe(true);
    runtime.inject('w', { payload: 12.5 });
    runtime.inject('w', { payload: 'fail' });
    await runtime.stop();
    await stop();
    const lines = readFileSync(join(dataDir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({ kind: 'device', user: expect.stringMatching(/^cli:/), revision: expect.stringMatching(/^[\w-]{22}$/), nodeId: 'w', nodeType: 'fake-write', action: 'write', target: { connection: 'plc', address: 7 }, value: 12.5, result: 'ok' }),
      expect.objectContaining({ nodeId: 'w', value: 'fail', result: 'failed', error: 'refused' }),
    ]);
  });
});
