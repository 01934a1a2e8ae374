import type { NodeInstance } from './node-instance.js';

/**
 * `runtime.trigger`: call a running node's `onTrigger` hook (the editor's "inject now"). The node
 * sends through its own `ctx.emit`, so backpressure is handled as on one of its ticks. False when
 * there is no instance, it is not running (starting, failed, closing) or its type has no hook. A
 * throw from the hook is an error of the node, routed like any other; the trigger still happened.
 */
export function triggerNode(node: NodeInstance | undefined): boolean {
  if (node === undefined || node.phase !== 'running') return false;
  const onTrigger = node.def.onTrigger;
  if (onTrigger === undefined) return false;
  try {
    onTrigger(node.ctx, node.state);
  } catch (err) {
    node.ctx.error(err);
  }
  return true;
}
