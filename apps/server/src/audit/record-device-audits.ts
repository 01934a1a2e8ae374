import type { ServerContext } from '../server-context.js';

/**
 * Append every `ctx.audit` report of the runtime's nodes to the audit log, with the user whose
 * deploy runs the node and the flow revision. Returns the unsubscribe.
 */
export function recordDeviceAudits(ctx: ServerContext): () => void {
  return ctx.runtime.on('audit', (event) => {
    void ctx.audit.append({
      kind: 'device',
      time: event.time,
      user: ctx.running.user,
      revision: ctx.running.revision ?? ctx.store.current().revision,
      nodeId: event.nodeId,
      nodeType: event.type,
      action: event.action,
      target: event.target,
      value: event.value,
      result: event.error === undefined ? 'ok' : 'failed',
      ...(event.error === undefined ? {} : { error: event.error }),
    });
  });
}
