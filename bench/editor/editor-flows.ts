/**
 * The flows both editors open, generated from one neutral graph: a grid of chains
 * `inject → 8 × change → debug (off)`, chain after chain, `BLOCKS` chains side by side per row.
 * Each editor gets the same grid cells, spaced for its own node size (Node-RED's nodes are about
 * 120 × 30 px, Plantwire's 180 × 72), and opens at its own default view.
 */
import type { BenchGraph, BenchNode } from '../scenarios/bench-graph.js';
import { toNodeRedFlows, type NodeRedEntry } from '../scenarios/to-node-red.js';
import { loadPlantwire, toPlantwireDocument } from '../scenarios/to-plantwire.js';

/** Nodes per chain (one grid row of a block). */
export const CHAIN_LENGTH = 10;
/** Chains side by side in one grid row. */
export const BLOCKS = 4;

/** Node-RED: x/y are the node's centre; 8000 × 8000 is its workspace, so 5,000 nodes fit at this spacing. */
const NODE_RED_CELL = { x0: 100, y0: 40, dx: 170, dy: 50 };
/** Plantwire: layout positions are the node's top-left corner. */
const PLANTWIRE_CELL = { x0: 40, y0: 40, dx: 220, dy: 100 };

export const TAB_ID = 'bench-tab';

export interface GridCell {
  readonly col: number;
  readonly row: number;
}

export interface EditorGrid {
  readonly graph: BenchGraph;
  readonly cells: ReadonlyMap<string, GridCell>;
}

export const nodeId = (chain: number, step: number): string => `n${chain}_${step}`;

/** `count` nodes (a multiple of {@link CHAIN_LENGTH}) as chains on a grid. */
export function editorGrid(count: number): EditorGrid {
  if (count <= 0 || count % CHAIN_LENGTH !== 0) throw new Error(`editorGrid: count must be a positive multiple of ${CHAIN_LENGTH}, got ${count}`);
  const nodes: BenchNode[] = [];
  const wires: Array<{ from: string; to: string }> = [];
  const cells = new Map<string, GridCell>();
  for (let chain = 0; chain < count / CHAIN_LENGTH; chain++) {
    const block = chain % BLOCKS;
    const row = Math.floor(chain / BLOCKS);
    for (let step = 0; step < CHAIN_LENGTH; step++) {
      const id = nodeId(chain, step);
      if (step === 0) nodes.push({ id, tab: TAB_ID, kind: 'inject' });
      else if (step === CHAIN_LENGTH - 1) nodes.push({ id, tab: TAB_ID, kind: 'debug' });
      else nodes.push({ id, tab: TAB_ID, kind: 'change', rules: [{ path: 'step', value: step }] });
      if (step > 0) wires.push({ from: nodeId(chain, step - 1), to: id });
      cells.set(id, { col: block * CHAIN_LENGTH + step, row });
    }
  }
  return { graph: { tabs: [{ id: TAB_ID, label: 'bench' }], nodes, wires }, cells };
}

/**
 * The 50 nodes the drag benchmark selects: the first 5 nodes of the chains in the first 10 rows
 * of block 0 (the top-left corner, on screen in both editors' default view).
 */
export function dragSelection(): string[] {
  const ids: string[] = [];
  for (let row = 0; row < 10; row++) for (let step = 0; step < 5; step++) ids.push(nodeId(row * BLOCKS, step));
  return ids;
}

/** The grid as a Node-RED flows.json. */
export function nodeRedGridFlows(grid: EditorGrid): NodeRedEntry[] {
  return toNodeRedFlows(grid.graph).map((entry) => {
    const cell = grid.cells.get(entry.id);
    return cell ? { ...entry, x: NODE_RED_CELL.x0 + cell.col * NODE_RED_CELL.dx, y: NODE_RED_CELL.y0 + cell.row * NODE_RED_CELL.dy } : entry;
  });
}

/** The grid as a Plantwire flow document with `layout.nodes` (schemas checked by the converter). */
export async function plantwireGridDocument(grid: EditorGrid): Promise<Record<string, unknown>> {
  const side = await loadPlantwire();
  if ('unavailable' in side) throw new Error(`Plantwire side unavailable: ${side.unavailable}`);
  const document = toPlantwireDocument(grid.graph, side.nodeTypes);
  const positions: Record<string, { x: number; y: number }> = {};
  for (const [id, cell] of grid.cells) positions[id] = { x: PLANTWIRE_CELL.x0 + cell.col * PLANTWIRE_CELL.dx, y: PLANTWIRE_CELL.y0 + cell.row * PLANTWIRE_CELL.dy };
  return { ...document, name: `bench: ${grid.graph.nodes.length} nodes`, layout: { nodes: positions } };
}

/** The debug-flood flow: one mqtt-in on {@link FLOOD_TOPIC} into one active debug node {@link FLOOD_DEBUG_ID}. */
export const FLOOD_TOPIC = 'bench/flood';
export const FLOOD_DEBUG_ID = 'flood-debug';

export function plantwireFloodDocument(brokerUrl: string): Record<string, unknown> {
  return {
    version: 1,
    name: 'bench: mqtt-in → debug',
    connections: [{ id: 'flood-broker', type: 'mqtt-broker', config: { url: brokerUrl, clientId: 'plantwire-editor-bench', keepalive: 60 } }],
    nodes: [
      { id: 'flood-in', type: 'mqtt-in', config: { broker: 'flood-broker', topic: FLOOD_TOPIC, qos: 0, payloadFormat: 'text' } },
      { id: FLOOD_DEBUG_ID, type: 'debug', config: { active: true } },
    ],
    wires: [{ from: { node: 'flood-in', port: 'out' }, to: { node: FLOOD_DEBUG_ID, port: 'in' } }],
    layout: { nodes: { 'flood-in': { x: 80, y: 80 }, [FLOOD_DEBUG_ID]: { x: 360, y: 80 } } },
  };
}

export function nodeRedFloodFlows(brokerPort: number): unknown[] {
  return [
    { id: TAB_ID, type: 'tab', label: 'bench', disabled: false },
    {
      id: 'flood-broker',
      type: 'mqtt-broker',
      name: 'bench',
      broker: '127.0.0.1',
      port: String(brokerPort),
      clientid: 'node-red-editor-bench',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
      autoUnsubscribe: true,
      birthTopic: '',
      closeTopic: '',
      willTopic: '',
      sessionExpiry: '',
    },
    { id: 'flood-in', type: 'mqtt in', z: TAB_ID, name: '', topic: FLOOD_TOPIC, qos: '0', datatype: 'utf8', broker: 'flood-broker', nl: false, rap: true, rh: 0, inputs: 0, x: 120, y: 80, wires: [[FLOOD_DEBUG_ID]] },
    {
      id: FLOOD_DEBUG_ID,
      type: 'debug',
      z: TAB_ID,
      name: '',
      active: true,
      tosidebar: true,
      console: false,
      tostatus: false,
      complete: 'payload',
      targetType: 'msg',
      statusVal: '',
      statusType: 'auto',
      x: 360,
      y: 80,
      wires: [],
    },
  ];
}
