import type { AuditEvent } from './api.js';

/** One device action as the audit log keeps it (protocol's `DeviceAuditEntry`, docs/security.md#audit-log). */
export interface DeviceAuditRecord {
  readonly kind: 'device';
  readonly time: string;
  readonly user: string;
  readonly revision: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly action: string;
  readonly target: AuditEvent['target'];
  readonly value: unknown;
  readonly result: 'ok' | 'failed';
  readonly error?: string;
}

/**
 * The audit log entry of a runtime `audit` event, attributed to `user` (whose deploy runs the
 * node) and the flow `revision`. One shape for the server's log and `plantwire run`'s.
 */
export function deviceAuditEntry(event: AuditEvent, user: string, revision: string): DeviceAuditRecord {
  return {
    kind: 'device',
    time: event.time,
    user,
    revision,
    nodeId: event.nodeId,
    nodeType: event.type,
    action: event.action,
    target: event.target,
    value: event.value,
    result: event.error === undefined ? 'ok' : 'failed',
    ...(event.error === undefined ? {} : { error: event.error }),
  };
}
