import { deviceAuditEntry } from '@plantwire/runtime';
import type { ServerContext } from '../server-context.js';

/**
 * Append every `ctx.audit` report of the runtime's nodes to the audit log, with the user whose
 * deploy runs the node and the flow revision. Returns the unsubscribe.
 */
export function recordDeviceAudits(ctx: ServerContext): () => void {
  return ctx.runtime.on('audit', (event) => {
    void ctx.audit.append(deviceAuditEntry(event, ctx.running.user, ctx.running.revision ?? ctx.store.current().revision));
  });
}
