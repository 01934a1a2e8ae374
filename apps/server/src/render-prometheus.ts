import type { BufferCounters, NodeCounters } from '@plantwire/runtime';

// Shared by the server's GET /metrics and the CLI's metrics server (`plantwire run --metrics-port`).

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
  { name: 'plantwire_node_refused_total', type: 'counter', help: 'Messages a source was refused under backpressure (block policy) or during a deploy; the source kept or skipped them.', value: (c) => c.refused },
  { name: 'plantwire_node_queue_depth', type: 'gauge', help: 'Messages waiting in the node\'s input queue (and, for a source, its outbox).', value: (c) => c.queueDepth },
  { name: 'plantwire_node_queue_capacity', type: 'gauge', help: 'Capacity of the node\'s input queue.', value: (c) => c.queueCapacity },
  { name: 'plantwire_node_processing_seconds_total', type: 'counter', help: 'Time the node spent handling messages, in seconds.', value: (c) => c.processingTimeMs / 1000 },
];

/** Store-and-forward series, only for nodes that buffer (docs/store-and-forward.md): extra labels and value per sample. */
const BUFFER_METRICS: ReadonlyArray<Omit<MetricDef, 'value'> & { readonly samples: (b: BufferCounters) => ReadonlyArray<readonly [string, number]> }> = [
  { name: 'plantwire_node_buffer_messages', type: 'gauge', help: 'Messages in the node\'s store-and-forward buffer (those being replayed included).', samples: (b) => [['', b.queued]] },
  { name: 'plantwire_node_buffer_bytes', type: 'gauge', help: 'Bytes the node\'s store-and-forward buffer holds.', samples: (b) => [['', b.bytes]] },
  { name: 'plantwire_node_buffer_capacity_bytes', type: 'gauge', help: 'Budget of the node\'s store-and-forward buffer, in bytes.', samples: (b) => [['', b.capacityBytes]] },
  { name: 'plantwire_node_buffer_oldest_age_seconds', type: 'gauge', help: 'Age of the oldest buffered message (0 when empty).', samples: (b) => [['', b.oldestAgeSeconds]] },
  {
    name: 'plantwire_node_buffer_dropped_total',
    type: 'counter',
    help: 'Buffered messages dropped: overflow (budget), expired (age limit), failed (refused at replay).',
    samples: (b) => (['overflow', 'expired', 'failed'] as const).map((reason) => [`,reason="${reason}"`, b.dropped[reason]] as const),
  },
  { name: 'plantwire_node_buffer_replayed_total', type: 'counter', help: 'Buffered messages delivered after the connection returned.', samples: (b) => [['', b.replayed]] },
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
  const buffered = ids.filter((id) => metrics[id]!.buffer !== undefined);
  for (const def of buffered.length === 0 ? [] : BUFFER_METRICS) {
    lines.push(`# HELP ${def.name} ${def.help}`, `# TYPE ${def.name} ${def.type}`);
    for (const id of buffered) {
      const labels = `node="${labelValue(id)}",type="${labelValue(typeOf(id) ?? 'unknown')}"`;
      for (const [extra, value] of def.samples(metrics[id]!.buffer!)) lines.push(`${def.name}{${labels}${extra}} ${sample(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
