import type { FlowDocument } from '@plantwire/flow';
import type { NodeManifest } from '@plantwire/protocol';

// Shared by the model's unit tests: small manifests and a document shaped like examples/demo.flow.json.

function manifest(type: string, category: NodeManifest['category'], inputs: string[], outputs: string[]): NodeManifest {
  return {
    type,
    version: 1,
    category,
    summary: `${type} summary`,
    inputs: Object.fromEntries(inputs.map((p) => [p, `${p} port`])),
    outputs: Object.fromEntries(outputs.map((p) => [p, `${p} port`])),
    configSchema: { type: 'object' },
    secrets: [],
    connections: [],
  };
}

export const MANIFESTS: readonly NodeManifest[] = [
  manifest('inject', 'source', [], ['out']),
  manifest('change', 'transform', ['in'], ['out']),
  manifest('switch', 'flow', ['in'], ['match', 'otherwise']),
  manifest('debug', 'sink', ['in'], []),
  { ...manifest('mqtt-out', 'sink', ['in'], []), connections: [{ pointer: '/broker', type: 'mqtt-broker' }] },
];

export const manifestOf = (type: string): NodeManifest | undefined => MANIFESTS.find((m) => m.type === type);

export function demoDocument(): FlowDocument {
  return {
    version: 1,
    name: 'demo',
    connections: [{ id: 'broker', type: 'mqtt-broker', config: { url: 'mqtt://127.0.0.1:1883' } }],
    nodes: [
      { id: 'tick', type: 'inject', name: 'every second', config: { intervalMs: 1000 } },
      { id: 'scale', type: 'change', config: { rules: [{ op: 'set', path: 'payload', value: 1 }] } },
      { id: 'print', type: 'debug', config: {} },
      { id: 'publish', type: 'mqtt-out', config: { broker: 'broker', topic: 'a/b' } },
    ],
    wires: [
      { from: { node: 'tick', port: 'out' }, to: { node: 'scale', port: 'in' } },
      { from: { node: 'scale', port: 'out' }, to: { node: 'print', port: 'in' } },
      { from: { node: 'scale', port: 'out' }, to: { node: 'publish', port: 'in' } },
    ],
    layout: {
      nodes: {
        tick: { x: 80, y: 100 },
        scale: { x: 280, y: 100 },
        print: { x: 480, y: 60 },
        publish: { x: 480, y: 160 },
      },
    },
  };
}
