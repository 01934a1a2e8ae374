import type { NodeCounters } from '@plantwire/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { renderPrometheus, startMetricsServer, type MetricsServer, type MetricsSource } from './metrics-server.js';

const counters = (over: Partial<NodeCounters> = {}): NodeCounters => ({
  in: 0,
  out: 0,
  errors: 0,
  dropped: 0,
  refused: 0,
  queueDepth: 0,
  queueCapacity: 1000,
  processingTimeMs: 0,
  ...over,
});

describe('renderPrometheus', () => {
  it('writes HELP and TYPE once per metric and one sample per node, sorted by node id', () => {
    const text = renderPrometheus({ b: counters({ in: 3, processingTimeMs: 1500 }), a: counters({ out: 2, queueDepth: 7 }) }, (id) => (id === 'a' ? 'inject' : 'debug'));
    const lines = text.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '# HELP plantwire_node_messages_in_total Messages the node took from its input queue.',
      '# TYPE plantwire_node_messages_in_total counter',
      'plantwire_node_messages_in_total{node="a",type="inject"} 0',
      'plantwire_node_messages_in_total{node="b",type="debug"} 3',
    ]);
    expect(lines).toContain('plantwire_node_messages_out_total{node="a",type="inject"} 2');
    expect(lines).toContain('# TYPE plantwire_node_queue_depth gauge');
    expect(lines).toContain('plantwire_node_queue_depth{node="a",type="inject"} 7');
    expect(lines).toContain('plantwire_node_processing_seconds_total{node="b",type="debug"} 1.5');
    expect(lines.filter((l) => l.startsWith('# TYPE'))).toHaveLength(8);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('escapes label values and labels unknown types', () => {
    const text = renderPrometheus({ 'a"b\\c': counters() }, () => undefined);
    expect(text).toContain('plantwire_node_errors_total{node="a\\"b\\\\c",type="unknown"} 0');
  });

  it('adds the uptime gauge when given', () => {
    expect(renderPrometheus({}, () => undefined, 12.5)).toMatch(/^# HELP plantwire_uptime_seconds .*\n# TYPE plantwire_uptime_seconds gauge\nplantwire_uptime_seconds 12\.5\n/);
  });
});

describe('startMetricsServer', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const source = (state: ReturnType<MetricsSource['state']>): MetricsSource => ({
    metrics: () => ({ n1: counters({ in: 1 }) }),
    typeOf: () => 'change',
    state: () => state,
    uptimeSeconds: () => 2,
  });

  it('binds 127.0.0.1 on a free port and answers /health and /metrics', async () => {
    server = await startMetricsServer(source('ok'), { host: '127.0.0.1', port: 0 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', uptime: 2, nodes: 1 });
    const metrics = await fetch(`${server.url}/metrics`);
    expect(await metrics.text()).toContain('plantwire_node_messages_in_total{node="n1",type="change"} 1');
  });

  it('answers 503 while stopping, 404 for other paths and 405 for other methods', async () => {
    server = await startMetricsServer(source('stopping'), { host: '127.0.0.1', port: 0 });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'stopping' });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('rejects with the listen error when the port is taken', async () => {
    server = await startMetricsServer(source('ok'), { host: '127.0.0.1', port: 0 });
    await expect(startMetricsServer(source('ok'), { host: '127.0.0.1', port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
