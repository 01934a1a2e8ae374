import { defineNode } from '@plantwire/node-sdk';
import * as z from 'zod';

/**
 * Link out: send messages to link-in nodes, on this tab or another, without a drawn wire. The
 * links are virtual wires from this node's undeclared `out` port to each link-in's `in` port, so
 * validation checks them like ordinary wires (a missing link-in is reported at deploy) and the
 * runtime routes them with the same queues and backpressure.
 */
export const linkOut = defineNode({
  type: 'link-out',
  version: 1,
  category: 'flow',
  icon: 'log-out',
  summary: 'Send messages to link-in nodes, on this tab or another.',
  description: [
    'Every message received is sent, unchanged, to each link-in node listed in **Links**, like a wire',
    'that is not drawn. A link-in that does not exist is reported when the flow is validated.',
  ].join('\n'),
  inputs: { in: 'Messages to send to the linked link-in nodes.' },
  config: z
    .strictObject({
      links: z
        .array(z.string().min(1, 'a node id must not be empty'))
        .min(1, 'name at least one link-in node')
        .meta({
          title: 'Links',
          description: 'Ids of the link-in nodes that receive every message.',
          examples: [['to-historian'], ['alarms-in', 'audit-in']],
        }),
    })
    .meta({ title: 'Link out', description: 'Where the messages go.' }),
  virtualWires: (config) => config.links.map((id) => ({ port: 'out', to: { node: id, port: 'in' } })),
  // Returned messages go to the undeclared port `out`, which only the virtual wires above leave from.
  onInput: (msg) => msg,
});
