import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeCounters } from '@plantwire/runtime';
import { renderPrometheus } from '@plantwire/server/render-prometheus';

// The renderer lives with the server's GET /metrics; `plantwire run --metrics-port` serves the same text.
export { renderPrometheus };

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
