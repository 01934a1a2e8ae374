import type { ClientSession } from 'node-opcua';
import { loadOpcua } from './load-opcua.js';

/** Options of {@link browse}. */
export interface BrowseOptions {
  /** At most this many children per page (the server may return fewer). Default 100; 0 lets the server decide. */
  readonly maxReferences?: number;
  /**
   * The `continuationPoint` of the previous page, to get the next one. Continuation points belong
   * to the session that made them: after a reconnect, browse again from the first page.
   */
  readonly continuationPoint?: string;
}

/** One child of a browsed node. */
export interface BrowseChild {
  /** The child's NodeId as a string (`ns=1;s=Line1.Machine1.Temperature`), usable in node configs. */
  readonly nodeId: string;
  /** `1:Temperature` (namespace index and name). */
  readonly browseName: string;
  readonly displayName: string;
  readonly nodeClass: 'Object' | 'Variable' | 'Method' | 'ObjectType' | 'VariableType' | 'ReferenceType' | 'DataType' | 'View' | 'Unspecified';
  /** For variables: the DataType's NodeId (`ns=0;i=11` for Double). */
  readonly dataType?: string;
}

/** One page of children. */
export interface BrowsePage {
  readonly children: readonly BrowseChild[];
  /** Present when more children follow: pass it back as `options.continuationPoint`. */
  readonly continuationPoint?: string;
}

const NODE_CLASSES: Record<number, BrowseChild['nodeClass']> = {
  1: 'Object',
  2: 'Variable',
  4: 'Method',
  8: 'ObjectType',
  16: 'VariableType',
  32: 'ReferenceType',
  64: 'DataType',
  128: 'View',
};

/**
 * Browse the hierarchical children (forward HierarchicalReferences and subtypes) of `nodeId`, one
 * page at a time: the first call without a continuation point, each next call with the previous
 * page's `continuationPoint`, until a page has none. A bad node id or a continuation point the
 * server no longer knows rejects with an Error naming the node and the status.
 *
 * @example
 * let page = await browse(session, 'ns=1;s=Line1.Machine1', { maxReferences: 5 });
 * const all = [...page.children];
 * while (page.continuationPoint) {
 *   page = await browse(session, 'ns=1;s=Line1.Machine1', { maxReferences: 5, continuationPoint: page.continuationPoint });
 *   all.push(...page.children);
 * }
 */
export async function browse(session: ClientSession, nodeId: string, options: BrowseOptions = {}): Promise<BrowsePage> {
  const opcua = await loadOpcua();
  const maxReferences = options.maxReferences ?? 100;
  let result;
  if (options.continuationPoint !== undefined) {
    result = await session.browseNext(Buffer.from(options.continuationPoint, 'base64'), false);
  } else {
    let parsed;
    try {
      parsed = opcua.resolveNodeId(nodeId);
    } catch (err) {
      throw new Error(`cannot browse "${nodeId}": not a valid NodeId (${(err as Error).message})`, { cause: err });
    }
    // The page size is a property of the session in node-opcua, read when the request is built
    // (synchronously inside `browse`), so setting it just around the call affects only this request.
    const previous = session.requestedMaxReferencesPerNode;
    session.requestedMaxReferencesPerNode = maxReferences;
    let pending;
    try {
      pending = session.browse({
        nodeId: parsed,
        browseDirection: opcua.BrowseDirection.Forward,
        referenceTypeId: 'HierarchicalReferences',
        includeSubtypes: true,
        nodeClassMask: 0,
        resultMask: 0x3f,
      });
    } finally {
      session.requestedMaxReferencesPerNode = previous;
    }
    result = await pending;
  }
  if (!result.statusCode.isGood()) {
    throw new Error(`cannot browse "${nodeId}": ${result.statusCode.name}`);
  }
  const references = result.references ?? [];
  const variables = references.filter((r) => r.nodeClass === opcua.NodeClass.Variable);
  const dataTypes = new Map<string, string>();
  if (variables.length > 0) {
    const values = await session.read(variables.map((r) => ({ nodeId: r.nodeId, attributeId: opcua.AttributeIds.DataType })));
    variables.forEach((r, i) => {
      const dv = values[i];
      if (dv && dv.statusCode.isGood() && dv.value.value) dataTypes.set(r.nodeId.toString(), String(dv.value.value.toString()));
    });
  }
  const children = references.map((r): BrowseChild => {
    const id = r.nodeId.toString();
    const dataType = dataTypes.get(id);
    return {
      nodeId: id,
      browseName: r.browseName.toString(),
      displayName: r.displayName.text ?? r.browseName.name ?? id,
      nodeClass: NODE_CLASSES[r.nodeClass] ?? 'Unspecified',
      ...(dataType ? { dataType } : {}),
    };
  });
  const cp = result.continuationPoint;
  return cp && cp.length > 0 ? { children, continuationPoint: Buffer.from(cp).toString('base64') } : { children };
}
