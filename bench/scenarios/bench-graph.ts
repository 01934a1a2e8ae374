/**
 * A flow described once, neutrally, so that the Plantwire document and the Node-RED flows.json
 * that the benchmark runs are generated from the same fact and do the same work.
 *
 * Every node has at most one output; a wire goes from a node's output to another node's input.
 */

/** `set msg.<path> = <value>`: the only change-node rule the benchmark needs. */
export interface SetRule {
  readonly path: string;
  readonly value: number | string;
}

export type BenchNode =
  | { readonly id: string; readonly tab: string; readonly kind: 'change'; readonly rules: readonly SetRule[] }
  /** User code with the Node-RED function-node contract: `msg` in, `return msg` out. */
  | { readonly id: string; readonly tab: string; readonly kind: 'function'; readonly code: string }
  /** Passes messages whose `msg.<property>` is ≥ `min` (numbers), drops the rest. */
  | { readonly id: string; readonly tab: string; readonly kind: 'switch'; readonly property: string; readonly min: number }
  /** An inject that fires every `everySeconds` (a poller), or never on its own when absent. */
  | { readonly id: string; readonly tab: string; readonly kind: 'inject'; readonly everySeconds?: number }
  /** A debug node with its output switched off. */
  | { readonly id: string; readonly tab: string; readonly kind: 'debug' }
  /** The driver's counting sink (`bench-sink` on both systems). */
  | { readonly id: string; readonly tab: string; readonly kind: 'sink' };

export type BenchNodeKind = BenchNode['kind'];

export interface BenchGraph {
  readonly tabs: ReadonlyArray<{ readonly id: string; readonly label: string }>;
  readonly nodes: readonly BenchNode[];
  readonly wires: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/** The payload the head node receives: a counter, or an object of 50 numeric tags. */
export type MessageShape = 'counter' | 'tags50';

/** The 50 tag names of a `tags50` payload: `tag00` … `tag49`. */
const TAG_NAMES: readonly string[] = Array.from({ length: 50 }, (_, t) => `tag${t < 10 ? '0' : ''}${t}`);
/** A `tags50` payload with every tag at 0, parsed from JSON so it has the layout a parsed device message has. */
const TAGS_TEMPLATE: Readonly<Record<string, number>> = JSON.parse(`{${TAG_NAMES.map((name) => `"${name}":0`).join(',')}}`) as Record<string, number>;

/**
 * Message `i` of a run, identical on both systems: `{payload: i, topic}`, or a payload of 50
 * numeric tags `{tag00: i, tag01: i + 0.5, …, tag49: i + 24.5}`.
 *
 * The tags payload is a copy of a template with its values overwritten. Building it key by key
 * from fresh strings cost ~8 µs per message (new key strings, and an object that falls back to a
 * slow dictionary layout), about 60% of the Plantwire side's CPU in `fan-out`: the load loop, not
 * the system, set the figure. The copy costs ~2 µs on both Node versions and gives the same keys,
 * values and key order.
 */
export function makeMessage(shape: MessageShape, i: number): { payload: unknown; topic: string } {
  if (shape === 'counter') return { payload: i, topic: 'bench' };
  const payload: Record<string, number> = { ...TAGS_TEMPLATE };
  for (let t = 0; t < 50; t++) payload[TAG_NAMES[t]!] = i + t * 0.5;
  return { payload, topic: 'bench' };
}

/** Checks the invariants the generators rely on; throws naming the offending node or wire. */
export function checkGraph(graph: BenchGraph): void {
  const ids = new Set<string>();
  const tabs = new Set(graph.tabs.map((t) => t.id));
  for (const node of graph.nodes) {
    if (ids.has(node.id)) throw new Error(`bench graph: node id "${node.id}" is used twice`);
    ids.add(node.id);
    if (!tabs.has(node.tab)) throw new Error(`bench graph: node "${node.id}" is on unknown tab "${node.tab}"`);
  }
  for (const wire of graph.wires) {
    if (!ids.has(wire.from)) throw new Error(`bench graph: wire from unknown node "${wire.from}"`);
    if (!ids.has(wire.to)) throw new Error(`bench graph: wire to unknown node "${wire.to}"`);
  }
}
