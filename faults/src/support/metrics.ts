/** Per-node counters from `plantwire run`'s Prometheus text: `metric name → node id → value`. */
export type Metrics = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** GET `<url>/metrics` and parse it. */
export async function scrapeMetrics(url: string): Promise<Metrics> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`GET ${url}/metrics answered ${res.status}`);
  return parsePrometheus(await res.text());
}

/** Parse the `plantwire_node_*{node="…",type="…"} N` samples (other lines are ignored). */
export function parsePrometheus(text: string): Metrics {
  const out = new Map<string, Map<string, number>>();
  for (const line of text.split('\n')) {
    const m = /^(plantwire_node_\w+)\{node="((?:[^"\\]|\\.)*)"[^}]*\} (\S+)$/.exec(line);
    if (!m) continue;
    let byNode = out.get(m[1]!);
    if (!byNode) out.set(m[1]!, (byNode = new Map()));
    byNode.set(m[2]!, Number(m[3]));
  }
  return out;
}

/** One node's counter (0 when absent). `name` without the `plantwire_node_` prefix, e.g. `dropped_total`. */
export function counter(metrics: Metrics, name: string, node: string): number {
  return metrics.get(`plantwire_node_${name}`)?.get(node) ?? 0;
}

/** A counter summed over every node. */
export function total(metrics: Metrics, name: string): number {
  let sum = 0;
  for (const v of metrics.get(`plantwire_node_${name}`)?.values() ?? []) sum += v;
  return sum;
}
