import type { BenchGraph, BenchNode } from './bench-graph.js';

/** One entry of a Node-RED flows.json array. */
export type NodeRedEntry = Record<string, unknown> & { id: string; type: string };

/** The Node-RED 5 config of one bench node, as the editor would save it. */
function nodeRedConfig(node: BenchNode): Record<string, unknown> & { type: string } {
  switch (node.kind) {
    case 'change':
      return {
        type: 'change',
        rules: node.rules.map((r) => ({ t: 'set', p: r.path, pt: 'msg', to: String(r.value), tot: typeof r.value === 'number' ? 'num' : 'str' })),
        action: '',
        property: '',
        from: '',
        to: '',
        reg: false,
      };
    case 'function':
      return { type: 'function', func: node.code, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [] };
    case 'switch':
      return {
        type: 'switch',
        property: node.property,
        propertyType: 'msg',
        rules: [{ t: 'gte', v: String(node.min), vt: 'num' }],
        checkall: 'true',
        repair: false,
        outputs: 1,
      };
    case 'inject':
      return {
        type: 'inject',
        props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
        repeat: node.everySeconds === undefined ? '' : String(node.everySeconds),
        crontab: '',
        once: false,
        onceDelay: 0.1,
        topic: '',
        payload: '',
        payloadType: 'date',
      };
    case 'debug':
      return { type: 'debug', active: false, tosidebar: true, console: false, tostatus: false, complete: 'payload', targetType: 'msg', statusVal: '', statusType: 'auto' };
    case 'sink':
      return { type: 'bench-sink' };
  }
}

/** The graph as a Node-RED flows.json array: tabs first, then nodes with positional `wires`. */
export function toNodeRedFlows(graph: BenchGraph): NodeRedEntry[] {
  const targets = new Map<string, string[]>();
  for (const w of graph.wires) {
    const list = targets.get(w.from) ?? [];
    list.push(w.to);
    targets.set(w.from, list);
  }
  const tabs: NodeRedEntry[] = graph.tabs.map((t) => ({ id: t.id, type: 'tab', label: t.label, disabled: false, info: '', env: [] }));
  const nodes: NodeRedEntry[] = graph.nodes.map((node, i) => {
    const config = nodeRedConfig(node);
    const outputs = node.kind === 'debug' || node.kind === 'sink' ? [] : [targets.get(node.id) ?? []];
    return { id: node.id, z: node.tab, name: '', ...config, x: 100 + (i % 5) * 160, y: 40 + Math.floor(i / 5) * 40, wires: outputs };
  });
  return [...tabs, ...nodes];
}
