// Test support: a real server (runtime + core nodes) on 127.0.0.1, port 0, in a temp data dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreNodes } from '@plantwire/nodes-core';
import { createPlantwireServer } from '../create-plantwire-server.js';
import type { PlantwireServer, PlantwireServerOptions } from '../server-options.js';

export interface TestServer extends PlantwireServer {
  readonly dataDir: string;
  /** Close the server and remove its data dir. */
  dispose(): Promise<void>;
}

/** A small flow: inject → debug. */
export const SMALL_FLOW = {
  version: 1,
  name: 'small',
  nodes: [
    { id: 'tick', type: 'inject', config: { payload: { type: 'number', value: 7 } } },
    { id: 'print', type: 'debug', config: { property: 'payload' } },
  ],
  wires: [{ from: { node: 'tick', port: 'out' }, to: { node: 'print', port: 'in' } }],
};

export async function startTestServer(options: Partial<PlantwireServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'plantwire-server-'));
  const server = await createPlantwireServer({ nodeTypes: coreNodes, port: 0, env: {}, initialDocument: SMALL_FLOW, ...options, dataDir });
  return {
    ...server,
    dataDir,
    async dispose() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A raw HTTP request (no URL normalisation: `/../x` is sent as written). */
export function rawRequest(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** fetch with JSON in and out. */
export async function api(url: string, path: string, options: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] ??= 'application/json';
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  const res = await fetch(`${url}${path}`, { method: options.method ?? 'GET', headers, ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the raw text is the body
  }
  return { status: res.status, body, headers: res.headers };
}
