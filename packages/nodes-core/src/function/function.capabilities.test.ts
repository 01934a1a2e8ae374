import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionTestKit } from './function-test-kit.js';

const { fn, failure } = functionTestKit({ id: 'f-cap' });

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/json') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-line', 'press-4');
      res.end(JSON.stringify({ level: 42 }));
    } else if (req.url === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`${req.method} ${req.headers['x-token'] ?? ''} ${body}`));
    } else if (req.url === '/away') {
      // A redirect to another host name of this machine: allowed hosts are checked on every hop.
      res.statusCode = 302;
      res.setHeader('location', `http://localhost:${(server.address() as AddressInfo).port}/json`);
      res.end();
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('function node: network capability', () => {
  it('fetch reads status, headers and a JSON body', async () => {
    const node = await fn({
      capabilities: ['network'],
      code: 'const res = await fetch(msg.url);\nreturn { payload: await res.json(), status: res.status, ok: res.ok, line: res.headers.get("X-Line") };',
    });
    const [sent] = await node.input({ url: `${base}/json` });
    expect(sent?.msg).toMatchObject({ payload: { level: 42 }, status: 200, ok: true, line: 'press-4' });
  });

  it('fetch sends a method, headers and a body', async () => {
    const node = await fn({
      capabilities: ['network'],
      code: 'const res = await fetch(msg.url, { method: "POST", headers: { "x-token": "t1" }, body: "hello" });\nreturn { payload: await res.text() };',
    });
    expect((await node.input({ url: `${base}/echo` }))[0]?.msg.payload).toBe('POST t1 hello');
  });

  it('allowedHosts limits fetch, redirects included, with an error naming the host', async () => {
    const port = (server.address() as AddressInfo).port;
    const node = await fn({
      capabilities: ['network'],
      allowedHosts: [`127.0.0.1:${port}`],
      code: 'const res = await fetch(msg.url);\nreturn { payload: res.status };',
    });
    expect((await node.input({ url: `${base}/json` }))[0]?.msg.payload).toBe(200);
    const err = await failure(node, { url: `${base}/away` });
    expect(err.code).toBe('FUNCTION_FAILED');
    expect(err.message).toContain(`fetch("${base}/away"): the host "localhost:${port}" is not in the node's allowed hosts (allowedHosts)`);
    const other = await fn({ capabilities: ['network'], allowedHosts: ['*.example.com'], code: 'await fetch(msg.url);\nreturn msg;' });
    expect((await failure(other, { url: `${base}/json` })).message).toContain(`the host "127.0.0.1:${port}" is not in the node's allowed hosts`);
  });

  it('a refused connection is a node error with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const node = await fn({ capabilities: ['network'], code: 'await fetch(msg.url);\nreturn msg;' });
    const err = await failure(node, { url });
    expect(err.message).toMatch(/^Error: fetch\(".*"\): fetch failed: .*ECONNREFUSED/);
  });

  it('without the capability there is no fetch at all', async () => {
    const node = await fn({ code: 'return { payload: typeof fetch };' });
    expect((await node.input({}))[0]?.msg.payload).toBe('undefined');
  });
});

describe('function node: filesystem capability', () => {
  let dir = '';
  let outside = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plantwire-fn-'));
    outside = await mkdtemp(join(tmpdir(), 'plantwire-fn-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(outside, join(dir, 'link'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('writes, appends, reads and lists files in its directory', async () => {
    const node = await fn({
      capabilities: ['filesystem'],
      directory: dir,
      code: [
        'await fs.writeFile("log.txt", "a");',
        'await fs.appendFile("log.txt", "b");',
        'await fs.writeFile("raw.bin", new Uint8Array([0, 255, 7]));',
        'const raw = await fs.readFile("raw.bin", null);',
        'return { payload: await fs.readFile("log.txt"), raw: Array.from(raw), list: await fs.readdir() };',
      ].join('\n'),
    });
    const [sent] = await node.input({});
    expect(sent?.msg).toMatchObject({ payload: 'ab', raw: [0, 255, 7], list: ['link', 'log.txt', 'raw.bin'] });
    expect(await readFile(join(dir, 'log.txt'), 'utf8')).toBe('ab');
  });

  it.each([
    ['..', '../secret.txt'],
    ['an absolute path', '/etc/passwd'],
  ])('a path that leaves the directory (%s) is refused with a clear error', async (_what, path) => {
    const node = await fn({ capabilities: ['filesystem'], directory: dir, code: 'return { payload: await fs.readFile(msg.path) };' });
    const err = await failure(node, { path });
    expect(err.message).toContain(`fs.readFile(${JSON.stringify(path)}): the path leaves the node's directory ${JSON.stringify(dir)} (path traversal is refused)`);
  });

  it('a symbolic link out of the directory is refused, for reading and for writing', async () => {
    const node = await fn({
      capabilities: ['filesystem'],
      directory: dir,
      code: 'if (msg.write) await fs.writeFile("link/new.txt", "x");\nreturn { payload: await fs.readFile("link/secret.txt") };',
    });
    expect((await failure(node, { write: false })).message).toContain('through a symbolic link (refused)');
    expect((await failure(node, { write: true })).message).toContain('through a symbolic link (refused)');
  });

  it('without the capability there is no fs at all', async () => {
    const node = await fn({ code: 'return { payload: typeof fs };' });
    expect((await node.input({}))[0]?.msg.payload).toBe('undefined');
  });
});

describe('function node: no way out through the capabilities', () => {
  it('results, errors, timers and the global object reach no host object', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plantwire-fn-'));
    try {
      const node = await fn({
        capabilities: ['network', 'filesystem', 'console', 'env'],
        directory: dir,
        code: [
          'const probe = (o) => { try { return o.constructor.constructor("return typeof process")(); } catch (e) { return "threw"; } };',
          'const res = await fetch(msg.url);',
          'let fsError;',
          'try { await fs.readFile("../x"); } catch (e) { fsError = e; }',
          'let netError;',
          'try { await fetch("ftp://127.0.0.1/"); } catch (e) { netError = e; }',
          'const timerThis = await new Promise((resolve) => setTimeout(function () { resolve(this); }, 1));',
          // Call sites of a stack taken in a timer callback, whose callers are the host's.
          'const sites = await new Promise((resolve) => setTimeout(() => {',
          '  const seen = [];',
          '  Error.prepareStackTrace = (e, list) => { for (const s of list) for (const o of [s.getThis(), s.getFunction()]) if (o) seen.push(probe(o)); return ""; };',
          '  new Error("probe").stack;',
          '  Error.prepareStackTrace = undefined;',
          '  resolve(seen.every((p) => p === "undefined") ? "undefined" : seen.join());',
          '}, 1));',
          'return { payload: [',
          '  probe(res), probe(res.headers), probe(res.json), probe(await res.bytes()), probe(fsError), probe(netError),',
          '  probe(await fs.readdir()), probe(fetch), probe(setTimeout), probe(timerThis),',
          '  typeof Function("return this")().process, typeof require, typeof globalThis.process, sites,',
          '] };',
        ].join('\n'),
      });
      const [sent] = await node.input({ url: `${base}/json` });
      expect(sent?.msg.payload).toEqual(Array.from({ length: 14 }, () => 'undefined'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
