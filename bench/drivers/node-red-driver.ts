/**
 * Node-RED side of the benchmark. Bundled by bench/run.ts to CommonJS and run with the Node 22
 * binary of the scratch install (Node-RED 5 needs Node ≥ 22.9). Embeds Node-RED with its HTTP
 * admin and node servers switched off, telemetry off, a fresh user directory, and the `bench-sink`
 * node type from `nodesDir`; deploys through the runtime API with a full deployment.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { NodeRedContext } from './driver-protocol.js';
import { measure, rssMb, runDriver, type SinkCounter } from './measure-throughput.js';

/** The slice of Node-RED's embedding API this driver uses. */
interface NodeRedApp {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  nodes: { getNode(id: string): unknown };
  runtime: {
    flows: { setFlows(opts: { flows: { flows: unknown[] }; deploymentType: 'full' }): Promise<unknown> };
    events: { on(event: string, listener: (e: { config?: { flows?: unknown[] } }) => void): void; off(event: string, listener: (e: unknown) => void): void };
  };
}

interface NodeRedNode {
  receive(msg: unknown): void;
}

async function startNodeRed(ctx: NodeRedContext): Promise<NodeRedApp> {
  const requireFromInstall = createRequire(join(ctx.nodeRedDir, 'package.json'));
  const RED = requireFromInstall('node-red') as NodeRedApp;
  RED.init({
    userDir: ctx.userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    // Headless: no admin API, no editor, no HTTP-in server; nothing listens at all.
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    uiHost: '127.0.0.1',
    telemetry: { enabled: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    functionExternalModules: false,
    nodesDir: [ctx.nodesDir],
    logging: { console: { level: 'warn', metrics: false, audit: false } },
  });
  await RED.start();
  return RED;
}

const DEPLOY_TIMEOUT_MS = 60_000;

/** Full deploy through the runtime API; resolves when Node-RED reports these flows started. */
async function deploy(RED: NodeRedApp, flows: unknown[]): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    // Node-RED does not start flows with unknown node types; it only says so in a runtime event.
    const timer = setTimeout(() => reject(new Error(`node-red driver: flows not started ${DEPLOY_TIMEOUT_MS} ms after the deploy (unknown node type?)`)), DEPLOY_TIMEOUT_MS);
    const onStarted = (e: { config?: { flows?: unknown[] } }): void => {
      if (e.config?.flows?.length !== flows.length) return;
      RED.runtime.events.off('flows:started', onStarted as (e: unknown) => void);
      clearTimeout(timer);
      resolve();
    };
    RED.runtime.events.on('flows:started', onStarted);
    RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' }).catch((err: unknown) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return performance.now() - t0;
}

function getNode<T>(RED: NodeRedApp, id: string): T {
  const node = RED.nodes.getNode(id);
  if (!node) throw new Error(`node-red driver: node "${id}" is not running after the deploy`);
  return node as T;
}

runDriver('node-red', async (request) => {
  if (!request.nodeRed) throw new Error('node-red driver: the request has no nodeRed context');
  const RED = await startNodeRed(request.nodeRed);
  const flows = JSON.parse(readFileSync(request.flowFile, 'utf8')) as unknown[];

  if (request.mode === 'deploy') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const rssBeforeMb = rssMb();
    const deployMs = await deploy(RED, flows);
    await new Promise((resolve) => setTimeout(resolve, request.settleMs));
    gc?.();
    const nodes = flows.filter((f) => (f as { type: string }).type !== 'tab').length;
    return { mode: 'deploy', nodes, deployMs, rssBeforeMb, rssAfterMb: rssMb() };
  }

  await deploy(RED, flows);
  const head = getNode<NodeRedNode>(RED, request.head);
  const sinks = request.sinks.map((id) => getNode<SinkCounter>(RED, id));
  const { warmup, runs } = await measure(
    {
      inject: (msg) => {
        head.receive(msg);
        return true;
      },
      sinks,
    },
    request.message,
    request,
  );
  return { mode: 'throughput', warmup, runs, rssMb: rssMb() };
});
