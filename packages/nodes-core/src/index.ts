import type { AnyNodeType } from '@plantwire/node-sdk';

/** Every core node type, for handing to a runtime, the CLI, the docs generator. */
export const coreNodes: readonly AnyNodeType[] = [];
