import type { OpcuaEndpointClient } from './opcua-endpoint-client.js';

/**
 * Status names node-opcua puts in the message of a request that failed because the channel or the
 * session went away (a server restart, a cut link), as opposed to the server answering the request.
 */
const LINK_STATUSES = /\bBad(ConnectionClosed|SecureChannelClosed|SecureChannelIdInvalid|SessionClosed|SessionIdInvalid|SessionNotActivated|NotConnected|ServerNotConnected|CommunicationError)\b/;

/**
 * True when a request on `client` failed because the link is gone (the client was let go, or the
 * error names a closed channel or session), so nodes report NOT_CONNECTED, which the runtime's
 * reconnect resolves, instead of a refusal by the server or an unaddressed NODE_FAILED.
 */
export function isLinkFailure(err: unknown, client: Pick<OpcuaEndpointClient, 'isOpen'>): boolean {
  return !client.isOpen || LINK_STATUSES.test(err instanceof Error ? err.message : String(err));
}
