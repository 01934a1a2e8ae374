import { defineNode } from '@plantwire/node-sdk';
import * as z from 'zod';

/**
 * Link in: the receiving end of a link, fed by the link-out nodes that name it, on any tab.
 *
 * Its input port `in` exists so that the virtual wires of link-out nodes (`{port: 'out', to:
 * {node: <this id>, port: 'in'}}`) are checked by validation exactly like ordinary wires: a
 * link-out naming a node that does not exist is reported. The editor draws no handle for it (the
 * node is fed by its link-out nodes, not by wires); a plain wire into `in` is still valid and
 * behaves the same, which keeps the rule simple.
 */
export const linkIn = defineNode({
  type: 'link-in',
  version: 1,
  category: 'flow',
  icon: 'log-in',
  summary: 'Receive messages from link-out nodes, on this tab or another.',
  description: [
    'The receiving end of a virtual wire: every message that a link-out node naming this node sends',
    'leaves here, unchanged. Use links to split a large flow over tabs, or to fan many producers',
    'into one shared pipeline without drawing long wires.',
  ].join('\n'),
  inputs: { in: 'Messages from link-out nodes that name this node (virtual wires; not drawn in the editor).' },
  outputs: { out: 'Each message received from a link-out node, unchanged.' },
  config: z.strictObject({}).meta({ title: 'Link in', description: 'Link-out nodes choose this node by its id; it has no settings.' }),
  onInput: (msg) => msg,
});
