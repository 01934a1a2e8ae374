import { defineNode } from '@plantwire/node-sdk';
import * as z from 'zod';
import { watchScopeSchema } from '../catch/catch.node.js';

/**
 * Status: receive the status badge changes of other nodes as messages, like Node-RED's status
 * node (connection lost, queue filling, values dropped). The runtime does the routing.
 */
export const statusNode = defineNode({
  type: 'status',
  version: 1,
  category: 'flow',
  icon: 'activity',
  summary: 'Receive status changes of other nodes, as messages.',
  description: [
    'Sends a message every time a node in its scope sets its status badge: `status: {fill, shape, text, source}`,',
    'where `source` is `{id, type, name, tab}` of the node. A cleared badge arrives with no fill, shape or text.',
    'Wire it to a dashboard, an alarm or an MQTT publisher to watch connections and queues.',
  ].join('\n'),
  outputs: { out: 'A new message with `status: {fill, shape, text, source: {id, type, name, tab}}`.' },
  config: z.strictObject({ scope: watchScopeSchema }).meta({ title: 'Status', description: 'Which nodes\' status to receive.' }),
  watches: (config) => ({ event: 'status', scope: config.scope }),
});
