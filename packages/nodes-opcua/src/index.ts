import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import { opcuaEndpoint } from './opcua-endpoint/opcua-endpoint.connection.js';
import { opcuaRead } from './opcua-read/opcua-read.node.js';
import { opcuaSubscribe } from './opcua-subscribe/opcua-subscribe.node.js';
import { opcuaWrite } from './opcua-write/opcua-write.node.js';

export { browse, type BrowseChild, type BrowseOptions, type BrowsePage } from './browse.js';
export { coerceValue, CoercionError, dataTypeName } from './coerce-value.js';
export { certificateFingerprints, normalizeFingerprint, type CertificateFingerprints } from './opcua-endpoint/fingerprint.js';
export { OpcuaEndpointClient, type OperationLimits } from './opcua-endpoint/opcua-endpoint-client.js';
export { opcuaEndpoint, opcuaRead, opcuaSubscribe, opcuaWrite };
export { qualityOf, toTagValue } from './tag-value.js';

/** The OPC UA node types, for `createRuntime({ nodeTypes })`. */
export const opcuaNodes: readonly AnyNodeType[] = [opcuaSubscribe, opcuaRead, opcuaWrite];

/** The OPC UA connection types, for `createRuntime({ connectionTypes })`. */
export const opcuaConnections: readonly AnyConnectionType[] = [opcuaEndpoint];
