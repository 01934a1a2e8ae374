import type { AnyNodeType } from '@plantwire/node-sdk';
import type { BenchGraph, BenchNode } from './bench-graph.js';

/** The node types a bench graph uses, by bench kind (the sink is defined by the Plantwire driver). */
const PLANTWIRE_TYPE: Record<BenchNode['kind'], string> = {
  change: 'change',
  function: 'function',
  switch: 'switch',
  inject: 'inject',
  debug: 'debug',
  sink: 'bench-sink',
};

export interface PlantwireSide {
  /** The core node types, as the runtime will get them (the driver adds `bench-sink`). */
  readonly nodeTypes: readonly AnyNodeType[];
}

/**
 * Load the Plantwire runtime and core nodes as the orchestrator sees them, or say why the
 * Plantwire side cannot run yet (runtime without `createRuntime`, a core node type missing).
 */
export async function loadPlantwire(): Promise<PlantwireSide | { readonly unavailable: string }> {
  try {
    const runtime = (await import('@plantwire/runtime')) as Record<string, unknown>;
    if (typeof runtime.createRuntime !== 'function') return { unavailable: '@plantwire/runtime exports no createRuntime yet' };
    const core = (await import('@plantwire/nodes-core')) as { coreNodes?: readonly AnyNodeType[] };
    const nodeTypes = core.coreNodes ?? [];
    const have = new Set(nodeTypes.map((t) => t.type));
    const missing = Object.values(PLANTWIRE_TYPE).filter((t) => t !== 'bench-sink' && !have.has(t));
    if (missing.length) return { unavailable: `coreNodes lacks node type(s) ${missing.join(', ')}` };
    return { nodeTypes };
  } catch (err) {
    return { unavailable: `cannot load the Plantwire runtime or core nodes: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The Plantwire config of one bench node: the same work as its Node-RED twin in to-node-red.ts. */
function plantwireConfig(node: BenchNode): Record<string, unknown> {
  switch (node.kind) {
    case 'change':
      return { rules: node.rules.map((r) => ({ op: 'set', path: r.path, value: r.value })) };
    case 'function':
      return { code: node.code };
    case 'switch':
      return { property: node.property, rules: [{ op: 'gte', value: node.min }], checkAll: true };
    case 'inject':
      // Node-RED's payloadType "date" is the timestamp in ms.
      return { payload: { type: 'timestamp' }, ...(node.everySeconds === undefined ? {} : { intervalMs: node.everySeconds * 1000 }) };
    case 'debug':
      return { active: false };
    case 'sink':
      return {};
  }
}

function firstPort(ports: Readonly<Record<string, string>>, nodeType: string, direction: 'input' | 'output'): string {
  const port = Object.keys(ports)[0];
  if (!port) throw new Error(`Plantwire node type "${nodeType}" has no ${direction} port`);
  return port;
}

/**
 * The graph as a Plantwire flow document. Port names come from the node types; every config is
 * checked against its type's schema here, so a drift in a node's schema fails loudly, naming the
 * node and the field, instead of benchmarking a flow that does not deploy.
 */
export function toPlantwireDocument(graph: BenchGraph, nodeTypes: readonly AnyNodeType[]): Record<string, unknown> {
  const byType = new Map(nodeTypes.map((t) => [t.type, t]));
  const kindOf = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const problems: string[] = [];
  const nodes = graph.nodes.map((node) => {
    const type = PLANTWIRE_TYPE[node.kind];
    const config = plantwireConfig(node);
    const nodeType = byType.get(type);
    if (nodeType) {
      const parsed = nodeType.config.safeParse(config);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(`node "${node.id}" (${type}) config.${issue.path.join('.')}: ${issue.message}`);
      }
    } else if (type !== 'bench-sink') {
      problems.push(`node "${node.id}": no node type "${type}"`);
    }
    return { id: node.id, type, tab: node.tab, config };
  });
  const portOf = (id: string, direction: 'input' | 'output'): string => {
    const type = PLANTWIRE_TYPE[kindOf.get(id)!];
    if (type === 'bench-sink') return 'in';
    const nodeType = byType.get(type);
    if (!nodeType) return direction === 'input' ? 'in' : 'out';
    return firstPort(direction === 'input' ? nodeType.inputs : nodeType.outputs, type, direction);
  };
  const wires = graph.wires.map((w) => ({ from: { node: w.from, port: portOf(w.from, 'output') }, to: { node: w.to, port: portOf(w.to, 'input') } }));
  if (problems.length) throw new Error(`bench graph does not translate to a valid Plantwire document:\n  ${problems.join('\n  ')}`);
  return { version: 1, name: 'bench', tabs: graph.tabs.map((t) => ({ id: t.id, label: t.label })), nodes, wires };
}
