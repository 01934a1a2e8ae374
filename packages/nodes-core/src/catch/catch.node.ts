import { defineNode } from '@plantwire/node-sdk';
import * as z from 'zod';

/**
 * Which nodes a catch node listens to. Exported so the status node shares the exact same field
 * (same title, validation and examples) instead of declaring it twice.
 */
export const watchScopeSchema = z
  .union([
    z.enum(['tab', 'all']),
    z.array(z.string().min(1, 'a node id must not be empty')).min(1, 'name at least one node id, or use "tab" or "all"'),
  ])
  .default('tab')
  .meta({
    title: 'Scope',
    description:
      '"tab": every node on the same tab as this node; "all": every node in the flow; or a list of node ids to listen to only those.',
    examples: ['tab', 'all', ['modbus-read-1', 'scale-temperature']],
  });

/**
 * Catch: receive the errors of other nodes as messages, like Node-RED's catch node. The runtime
 * does the routing (`watches`); this declaration only says which errors.
 *
 * An error reaches a catch node when the failing node's `error` port is not wired. The message
 * sent is the failed message plus `error: {message, code, source: {id, type, name, tab}}`.
 */
export const catchNode = defineNode({
  type: 'catch',
  version: 1,
  category: 'flow',
  icon: 'alert-triangle',
  summary: 'Receive errors raised by other nodes, as messages.',
  description: [
    'Sends a message for every error raised by a node in its scope whose own `error` port is not wired.',
    'The message is the one the node was handling when it failed, with `error: {message, code, source}` added;',
    'an error raised outside a message (a timer, a lost connection) arrives as a new message with no payload.',
    '',
    'With **Uncaught only** the node receives only errors that no other catch node in scope took, so a',
    'tab-wide catch can act as the fallback for catch nodes that watch specific nodes.',
  ].join('\n'),
  outputs: { out: 'The failed message with `error: {message, code, source: {id, type, name, tab}}`.' },
  config: z
    .strictObject({
      scope: watchScopeSchema,
      uncaughtOnly: z.boolean().default(false).meta({
        title: 'Uncaught only',
        description: 'Receive only errors that no other catch node in scope handled.',
        examples: [true],
      }),
    })
    .meta({ title: 'Catch', description: 'Which nodes\' errors to receive.' }),
  watches: (config) => ({ event: 'error', scope: config.scope, uncaughtOnly: config.uncaughtOnly }),
});
