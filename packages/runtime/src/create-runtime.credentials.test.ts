import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeployResult, Runtime, RuntimeOptions } from './api.js';
import { createRuntime } from './create-runtime.js';
import { CredentialsError } from './credential-store.js';
import { captureLogger, recordRuntime, type RuntimeRecording } from './fixtures/record-runtime.js';
import { lineCalls, lineIn, lineStats, startLineServer, tcpLine, type LineServer } from './fixtures/tcp-line.js';
import { collect, flowDoc, wire } from './fixtures/test-node-types.js';

const SECRET = 'pa55-w0rd-s3cret';
const WRONG = 'not-the-pa55word';

let runtimes: Runtime[] = [];
let servers: LineServer[] = [];
let dataDir: string;
const recordings: RuntimeRecording[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'plantwire-credentials-'));
  lineCalls.connect = 0;
  lineCalls.connected.length = 0;
  lineCalls.disconnect.length = 0;
  lineStats.clear();
  recordings.length = 0;
});

afterEach(async () => {
  await Promise.all(runtimes.map((rt) => rt.stop({ drainTimeoutMs: 50 })));
  await Promise.all(servers.map((s) => s.stop()));
  runtimes = [];
  servers = [];
  // Whatever a test did, no secret reached a log line, an event, a badge or a state.
  for (const rec of recordings) {
    const dump = rec.dump();
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain(WRONG);
  }
  await rm(dataDir, { recursive: true, force: true });
});

function start(options: Partial<RuntimeOptions> = {}): { rt: Runtime; rec: RuntimeRecording } {
  const { logger, lines } = captureLogger();
  const rt = createRuntime({
    nodeTypes: [collect, lineIn],
    connectionTypes: [tcpLine],
    env: {},
    dataDir,
    logger,
    closeTimeoutMs: 500,
    connectionBackoff: { initialMs: 10, maxMs: 40, random: () => 1 },
    ...options,
  });
  runtimes.push(rt);
  const rec = recordRuntime(rt, lines);
  recordings.push(rec);
  return { rt, rec };
}

const doc = (port: number) =>
  flowDoc([{ id: 'in1', type: 'line-in', config: { server: 'plc', topic: 'a' } }, { id: 'out1', type: 'collect' }], [wire('in1', 'out1')], {
    connections: [{ id: 'plc', type: 'tcp-line', config: { port } }],
  });

async function deployOk(rt: Runtime, d: unknown): Promise<Extract<DeployResult, { ok: true }>> {
  const r = await rt.deploy(d);
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r;
}

async function server(password: string): Promise<LineServer> {
  const s = await startLineServer({ password });
  servers.push(s);
  return s;
}

describe('credentials', () => {
  it('connects with stored credentials; a change reconnects and restarts the nodes; leaked secrets are masked', async () => {
    const s = await server(SECRET);
    const { rt, rec } = start();
    s.onChange(rec.poke);
    await deployOk(rt, doc(s.port));
    await rec.waitFor(() => rec.connection.some((e) => e.state === 'waiting'), 'a refused attempt');
    expect(rec.connection.find((e) => e.state === 'waiting')!.reason).toBe('the server requires a password');

    await rt.credentials.set('plc', { password: WRONG });
    // The fixture echoes the password it sent in its error, as careless protocol libraries do.
    await rec.waitFor(() => rec.connection.some((e) => e.reason?.startsWith('authentication failed') === true), 'the wrong password refused');
    expect(rec.connection.find((e) => e.reason?.startsWith('authentication failed'))!.reason).toBe('authentication failed for password ***: bad password');
    expect(rec.status.some((e) => e.nodeId === 'in1' && e.status?.text === 'authentication failed for password ***: bad password')).toBe(true);

    await rt.credentials.set('plc', { password: SECRET });
    await rec.waitFor(() => s.sockets.some((x) => x.subs.includes('a') && !x.closed), 'a subscription after the right password');
    expect(rec.connection.at(-1)).toMatchObject({ state: 'connected' });
    expect(await rt.credentials.has('plc')).toEqual(['password']);
    expect(rec.logs.some((l) => l.message.includes('connected from port') && l.message.includes('password ***'))).toBe(true); // the type's own log line, masked

    // A credentials change counts like a changed entry: the client is replaced and the node restarts.
    const before = lineStats.get('in1');
    await rt.credentials.set('plc', { password: SECRET });
    await rec.waitFor(() => lineStats.get('in1') !== before && lineStats.get('in1')!.connected === 1, 'the restarted node subscribing');
    expect(s.sockets.filter((x) => !x.closed)).toHaveLength(1);
  });

  it('keeps secrets encrypted on disk (files 0600), reloads them after a restart, and refuses a wrong key clearly', async () => {
    const s = await server(SECRET);
    const first = start();
    s.onChange(first.rec.poke);
    await first.rt.credentials.set('plc', { password: SECRET }, { type: 'tcp-line' }); // before the entry is deployed
    await deployOk(first.rt, doc(s.port));
    await first.rec.waitFor(() => first.rec.connection.some((e) => e.state === 'connected'), 'connected');

    const file = await readFile(join(dataDir, 'credentials.json'), 'utf8');
    expect(file).not.toContain(SECRET);
    expect(file).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(JSON.parse(file)).toMatchObject({ format: 'plantwire-credentials', cipher: 'aes-256-gcm', key: { source: 'file' }, entries: { plc: { iv: expect.any(String) } } });
    expect((await stat(join(dataDir, 'credentials.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'credential.key'))).mode & 0o777).toBe(0o600);
    await first.rt.stop();

    // A new process with the same data directory and key file.
    const second = start();
    s.onChange(second.rec.poke);
    expect(await second.rt.credentials.has('plc')).toEqual(['password']);
    await deployOk(second.rt, doc(s.port));
    await second.rec.waitFor(() => second.rec.connection.some((e) => e.state === 'connected'), 'connected after the restart');
    await second.rt.stop();

    // The environment's key takes precedence, and it is not the one the file was written with.
    const third = start({ env: { PLANTWIRE_CREDENTIAL_SECRET: 'some other secret' } });
    const refused = await third.rt.credentials.has('plc').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(CredentialsError);
    expect(refused).toMatchObject({ code: 'CREDENTIALS_UNREADABLE', message: expect.stringMatching(/cannot decrypt .*credentials\.json with the key derived from PLANTWIRE_CREDENTIAL_SECRET: wrong key \(the file was written with the key file .*credential\.key\)/) });
    await deployOk(third.rt, doc(s.port));
    await third.rec.waitFor(() => third.rec.connection.some((e) => e.state === 'failed'), 'the connection to fail');
    expect(third.rec.connection.at(-1)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/wrong key/) });
    expect(third.rec.status.at(-1)).toMatchObject({ nodeId: 'in1', status: { fill: 'red', shape: 'ring', text: expect.stringMatching(/wrong key/) } });
    // Failed means no retry loop: one attempt, then nothing until something changes.
    expect(third.rec.connection.filter((e) => e.state === 'connecting')).toHaveLength(1);
    await expect(third.rt.credentials.set('plc', { password: 'x-y-z-w' })).rejects.toThrow(/wrong key/); // never overwrites a file it cannot read
  });

  it('derives the key from PLANTWIRE_CREDENTIAL_SECRET when set, and needs it again to read', async () => {
    const env = { PLANTWIRE_CREDENTIAL_SECRET: 'correct horse battery staple' };
    const first = start({ env });
    await first.rt.credentials.set('plc', { password: SECRET }, { type: 'tcp-line' });
    expect(JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')).key).toMatchObject({ source: 'env', kdf: 'scrypt', salt: expect.any(String) });
    await expect(stat(join(dataDir, 'credential.key'))).rejects.toThrow(/ENOENT/);
    await first.rt.stop();

    expect(await start({ env }).rt.credentials.has('plc')).toEqual(['password']);
    await expect(start({ env: {} }).rt.credentials.has('plc')).rejects.toThrow(/encrypted with a key derived from PLANTWIRE_CREDENTIAL_SECRET, which is not set/);
  });

  it('validates values against the type, naming the field and never the value', async () => {
    const { rt } = start();
    await deployOk(rt, flowDoc([], [], { connections: [{ id: 'plc', type: 'tcp-line', config: { port: 1 } }] }));
    await expect(rt.credentials.set('plc', { pasword: SECRET })).rejects.toThrow('credentials of connection "plc" (tcp-line): unknown field "pasword"; expected only: password');
    const wrongType = (await rt.credentials.set('plc', { password: 12345678 }).catch((err: unknown) => err)) as Error;
    expect(wrongType).toMatchObject({ code: 'CREDENTIALS_INVALID', message: expect.stringMatching(/^credentials of connection "plc" \(tcp-line\): field "password": .*expected string/) });
    expect(wrongType.message).not.toContain('12345678');
    await expect(rt.credentials.set('ghost', { password: SECRET })).rejects.toThrow(/connection "ghost" is not in the running document; pass its type/);
    await expect(rt.credentials.set('ghost', { password: SECRET }, { type: 'mqtt-broker' })).rejects.toThrow('unknown connection type "mqtt-broker"; expected one of: tcp-line');
    await expect(rt.credentials.set('plc', { password: SECRET }, { type: 'other' })).rejects.toThrow('connection "plc" is a "tcp-line" in the running document, not a "other"');
    expect(await rt.credentials.has('plc')).toEqual([]);
    await rt.credentials.set('plc', { password: SECRET });
    expect(await rt.credentials.delete('plc')).toBe(true);
    expect(await rt.credentials.delete('plc')).toBe(false);
    expect(await rt.credentials.has('plc')).toEqual([]);
  });

  it('keeps credentials in memory only when the runtime has no data directory', async () => {
    const { rt } = start({ dataDir: undefined });
    await rt.credentials.set('plc', { password: SECRET }, { type: 'tcp-line' });
    expect(await rt.credentials.has('plc')).toEqual(['password']);
    await expect(stat(join(dataDir, 'credentials.json'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dataDir, 'credential.key'))).rejects.toThrow(/ENOENT/);
  });
});
