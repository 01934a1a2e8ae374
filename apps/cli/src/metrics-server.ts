import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeCounters } from '@plantwire/runtime';

/** What the metrics endpoints read; the CLI hands in the running runtime. */
export interface MetricsSource {
  /** Counters by node id (`runtime.metrics()`). */
  metrics(): Readonly<Record<string, NodeCounters>>;
  /** The node type of a node id, for the `type` label. */
  typeOf(nodeId: string): string | undefined;
  /** `ok` while running; `stopping` once shutdown began (health then answers 503). */
  state(): 'starting' | 'ok' | 'stopping';
  /** Seconds since the process started running the flow. */
  uptimeSeconds(): number;
}

interface MetricDef {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly value: (c: NodeCounters) => number;
}

/** The per-node series, in output order. */
const NODE_METRICS: readonly MetricDef[] = [
  { name: 'plantwire_node_messages_in_total', type: 'counter', help: 'Messages the node took from its input queue.', value: (c) => c.in },
  { name: 'plantwire_node_messages_out_total', type: 'counter', help: 'Messages the node sent on its output ports.', value: (c) => c.out },
  { name: 'plantwire_node_errors_total', type: 'counter', help: 'Errors the node raised.', value: (c) => c.errors },
  { name: 'plantwire_node_dropped_total', type: 'counter', help: 'Messages dropped at the node by its overflow policy or at shutdown.', value: (c) => c.dropped },
  { name: 'plantwire_node_queue_depth', type: 'gauge', help: 'Messages waiting in the node\'s input queue (and, for a source, its outbox).', value: (c) => c.queueDepth },
  { name: 'plantwire_node_queue_capacity', type: 'gauge', help: 'Capacity of the node\'s input queue.', value: (c) => c.queueCapacity },
  { name: 'plantwire_node_processing_seconds_total', type: 'counter', help: 'Time the node spent handling messages, in seconds.', value: (c) => c.processingTimeMs / 1000 },
];

/** A label value escaped as the Prometheus text format requires (backslash, quote, newline). */
function labelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function sample(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * The Prometheus text exposition format (version 0.0.4) of per-node counters, with HELP and
 * TYPE lines and `node` / `type` labels, nodes sorted by id so scrapes diff cleanly.
 */
export function renderPrometheus(metrics: Readonly<Record<string, NodeCounters>>, typeOf: (nodeId: string) => string | undefined, uptimeSeconds?: number): string {
  const ids = Object.keys(metrics).sort();
  const lines: string[] = [];
  if (uptimeSeconds !== undefined) {
    lines.push('# HELP plantwire_uptime_seconds Seconds since the flow started running.', '# TYPE plantwire_uptime_seconds gauge', `plantwire_uptime_seconds ${sample(uptimeSeconds)}`);
  }
  for (const def of NODE_METRICS) {
    lines.push(`# HELP ${def.name} ${def.help}`, `# TYPE ${def.name} ${def.type}`);
    for (const id of ids) {
      const labels = `node="${labelValue(id)}",type="${labelValue(typeOf(id) ?? 'unknown')}"`;
      lines.push(`${def.name}{${labels}} ${sample(def.value(metrics[id]!))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A running metrics server. */
export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serve `GET /health` (JSON `{status, uptime, nodes}`, 503 while stopping) and `GET /metrics`
 * (Prometheus text) on `host:port`. Port 0 picks a free port; the bound one is in the result.
 * Rejects with the listen error (e.g. EADDRINUSE).
 */
export function startMetricsServer(source: MetricsSource, options: { readonly host: string; readonly port: number }): Promise<MetricsServer> {
  const server = createServer((req, res) => handle(source, req, res));
  // A scraper keeping a connection open must not hold shutdown up.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        port,
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function handle(source: MetricsSource, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/health' && path !== '/metrics') {
    send(res, 404, 'application/json', JSON.stringify({ error: 'not found', paths: ['/health', '/metrics'] }));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
    return;
  }
  try {
    if (path === '/health') {
      const state = source.state();
      const body = { status: state, uptime: Math.round(source.uptimeSeconds() * 1000) / 1000, nodes: Object.keys(source.metrics()).length };
      send(res, state === 'ok' ? 200 : 503, 'application/json', JSON.stringify(body));
    } else {
      send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', renderPrometheus(source.metrics(), (id) => source.typeOf(id), source.uptimeSeconds()));
    }
  } catch (err) {
    send(res, 500, 'application/json', JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
