import { defineNode } from '@plantwire/node-sdk';
import * as z from 'zod';

/**
 * Complete: receive each message that one of the named nodes has finished handling, like
 * Node-RED's complete node. The runtime does the routing.
 */
export const complete = defineNode({
  type: 'complete',
  version: 1,
  category: 'flow',
  icon: 'check-circle',
  summary: 'Receive each message that one of the named nodes finished handling.',
  description: [
    'Sends the message, unchanged, once a watched node has finished handling it without an error',
    '(its `onInput` returned). Use it to trigger the next step after a sink wrote a value, or to',
    'acknowledge work.',
  ].join('\n'),
  outputs: { out: 'The message the watched node finished handling, unchanged.' },
  config: z
    .strictObject({
      nodes: z
        .array(z.string().min(1, 'a node id must not be empty'))
        .min(1, 'name at least one node to watch')
        .meta({
          title: 'Nodes',
          description: 'Ids of the nodes whose finished messages to receive.',
          examples: [['mqtt-out-1'], ['write-setpoint', 'historian']],
        }),
    })
    .meta({ title: 'Complete', description: 'Which nodes to watch.' }),
  watches: (config) => ({ event: 'complete', scope: config.nodes }),
});
