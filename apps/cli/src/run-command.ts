import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import { createRuntime, installSignalHandlers, isoTime, type DebugEvent, type Runtime, type StopReport } from '@plantwire/runtime';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { auditToFile } from './audit-file.js';
import type { JsonLogger } from './json-logger.js';
import { formatIssue, loadFlow, placeIssues } from './load-flow.js';
import type { MetricsServer } from './metrics-server.js';
import { startUpDone } from './v8-memory.js';
import { toJsonLine } from './to-json-line.js';

export interface RunOptions {
  readonly file: string;
  readonly nodeTypes: readonly AnyNodeType[];
  readonly connectionTypes: readonly AnyConnectionType[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dataDir: string | undefined;
  /** Undefined: no metrics server. 0: any free port (logged). */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  readonly logger: JsonLogger;
  /** Debug lines (stdout). */
  readonly out: (line: string) => void;
  /** Validation problems (stderr, plain lines as `validate` prints them). */
  readonly err: (line: string) => void;
  /** Variables set in the document's `env` over the file's (see `loadFlow`). */
  readonly documentEnv?: Readonly<Record<string, string>>;
  /** How long a SIGTERM/SIGINT stop waits for queues to drain. */
  readonly drainTimeoutMs?: number;
}

/** The JSON line a debug node prints: `{"node", "name", "msgId", "time", "value"}`. */
export function debugLine(event: DebugEvent): string {
  return toJsonLine({
    node: event.nodeId,
    name: event.nodeName ?? null,
    msgId: event.msgId,
    time: isoTime(event.timestamp),
    value: event.value,
  });
}

/**
 * `plantwire run FILE`: validate, deploy into a runtime with the given node types, print debug
 * messages as JSON lines, serve metrics, and stop gracefully on SIGTERM/SIGINT. Resolves with the
 * exit code once the runtime has stopped (or failed to start).
 */
export async function runCommand(options: RunOptions): Promise<ExitCode> {
  const { logger, file } = options;
  const flow = await loadFlow(file, options.nodeTypes, options.env, options.connectionTypes, options.documentEnv);
  for (const issue of flow.issues) options.err(formatIssue(file, issue));
  if (!flow.ok) {
    logger.error('flow document is invalid; nothing was started', { file, errors: flow.issues.filter((i) => i.severity === 'error').length });
    return EXIT.INVALID;
  }

  let dataDir: string | undefined;
  if (options.dataDir !== undefined) {
    dataDir = resolve(options.dataDir);
    try {
      await mkdir(dataDir, { recursive: true });
    } catch (err) {
      throw new CliError(EXIT.UNAVAILABLE, `cannot use data directory ${dataDir}: ${(err as Error).message}`);
    }
  }

  const startedAt = performance.now();
  let state: 'starting' | 'ok' | 'stopping' = 'starting';
  const runtime: Runtime = createRuntime({
    nodeTypes: options.nodeTypes,
    connectionTypes: options.connectionTypes,
    env: options.env,
    logger,
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  runtime.on('debug', (event) => options.out(debugLine(event)));
  runtime.on('status', (event) => logger.debug('node status', { nodeId: event.nodeId, status: event.status }));
  auditToFile(runtime, { dataDir, flowText: flow.text, logger });

  // The metrics port is claimed before deploy: when it is taken, nothing has touched a device yet.
  let metrics: MetricsServer | undefined;
  if (options.metricsPort !== undefined) {
    const typeOf = (id: string) => runtime.document?.nodes.find((n) => n.id === id)?.type;
    try {
      // Loaded only when asked for: node:http costs a run without metrics memory for nothing.
      const { startMetricsServer } = await import('./metrics-server.js');
      metrics = await startMetricsServer(
        { metrics: () => runtime.metrics(), typeOf, state: () => state, uptimeSeconds: () => (performance.now() - startedAt) / 1000 },
        { host: options.metricsHost, port: options.metricsPort },
      );
    } catch (err) {
      await runtime.stop({ drainTimeoutMs: 0 });
      throw new CliError(EXIT.UNAVAILABLE, `cannot serve metrics on ${options.metricsHost}:${options.metricsPort}: ${(err as Error).message}`);
    }
    logger.info('metrics server listening', { url: metrics.url, port: metrics.port, paths: ['/health', '/metrics'] });
  }

  const result = await runtime.deploy(flow.raw);
  if (!result.ok) {
    for (const issue of placeIssues(flow.text, result.issues)) options.err(formatIssue(file, issue));
    logger.error('deploy failed; nothing was started', { file, errors: result.issues.filter((i) => i.severity === 'error').length });
    await runtime.stop({ drainTimeoutMs: 0 });
    await metrics?.close();
    return EXIT.INVALID;
  }

  // The runtime's handler does the stopping; this one only reports that it began.
  let queuedAtSignal = 0;
  const onFirstSignal = (signal: NodeJS.Signals): void => {
    if (state === 'stopping') return;
    state = 'stopping';
    queuedAtSignal = Object.values(runtime.metrics()).reduce((sum, c) => sum + c.queueDepth, 0);
    logger.info('stopping: stopping sources, draining queues', { signal, queued: queuedAtSignal });
  };
  process.on('SIGTERM', onFirstSignal);
  process.on('SIGINT', onFirstSignal);
  // A flow with nothing scheduled (a one-shot inject, sources waiting on devices that unref their
  // sockets) leaves Node no handle to wait on; `run` is a service and waits for a signal regardless.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const stopped = new Promise<ExitCode>((done) => {
    installSignalHandlers(runtime, {
      ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
      onStopped(report: StopReport, signal: NodeJS.Signals) {
        // The whole report in one JSON line: what stopped, what drained, what was left and where.
        const fields = { signal, queued: queuedAtSignal, ...report, durationMs: Math.round(report.durationMs) };
        if (report.drained) logger.info(`stopped: drained all ${report.inFlight} in-flight message(s) from ${report.sourcesStopped.length} stopped source(s)`, fields);
        else {
          const where = Object.keys(report.remainingByNode).join(', ');
          logger.warn(`stopped: ${report.remaining} of ${report.inFlight} in-flight message(s) were not handled within the ${report.drainTimeoutMs} ms drain bound and were dropped${where ? ` (in ${where})` : ''}`, fields);
        }
        clearInterval(keepAlive);
        void (metrics?.close() ?? Promise.resolve()).then(() => done(EXIT.OK));
      },
    });
  });

  state = 'ok';
  void startUpDone();
  logger.info('running', {
    file,
    flow: flow.document?.name,
    nodes: result.started.length,
    warnings: result.warnings.length,
    ...(metrics ? { metrics: metrics.url } : {}),
    pid: process.pid,
  });
  return stopped;
}
