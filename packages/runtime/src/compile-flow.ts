import {
  envLookup,
  formatJsonPath,
  substituteEnv,
  type ConnectionEntry,
  type EnvLookup,
  type FlowDocument,
  type NodeEntry,
  type OverflowPolicy,
  type ValidationIssue,
} from '@plantwire/flow';
import {
  CONNECTION_META_KEY,
  connectionRefsOf,
  findMeta,
  migrateConfig,
  schemaMentions,
  type AnyConnectionType,
  type AnyNodeType,
  type ConnectionRefHit,
  type NodeRegistry,
  type WatchSpec,
} from '@plantwire/node-sdk';
import type { z } from 'zod';
import { stableStringify } from './stable-stringify.js';

/** A directed edge of the running graph, from an output port to an input port. */
export interface Edge {
  readonly from: { readonly node: string; readonly port: string };
  readonly to: { readonly node: string; readonly port: string };
  /** True when the edge comes from a node's `virtualWires`, not from `wires`. */
  readonly virtual: boolean;
}

/** One enabled node, ready to instantiate. */
export interface CompiledNode {
  readonly id: string;
  /** Index in the document's `nodes`, for issue paths. */
  readonly index: number;
  readonly entry: NodeEntry;
  readonly def: AnyNodeType;
  readonly name: string | undefined;
  readonly tab: string | undefined;
  /** Parsed by the type's schema: migrated, `${ENV}` substituted, defaults filled. */
  readonly config: unknown;
  readonly env: EnvLookup;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly watchSpec: WatchSpec | undefined;
  readonly outgoing: Edge[];
  readonly incoming: Edge[];
  /** The connection entries its config references (`connectionRef()` fields); opened when the node starts. */
  readonly connections: readonly ConnectionRefHit[];
  /**
   * Everything whose change needs a restart: type and version, raw config, queue settings, tab,
   * the tab's layered env, incoming and outgoing edges, and the signatures of the connections it
   * references. Not the name, not the layout.
   */
  readonly signature: string;
}

/** One connection entry, ready to supervise. */
export interface CompiledConnection {
  readonly id: string;
  /** Index in the document's `connections`, for issue paths. */
  readonly index: number;
  readonly entry: ConnectionEntry;
  readonly type: string;
  /**
   * The `defineConnection` type; undefined for an entry whose type is a node type of category
   * `connection` (declared before connection types existed): kept and diffed, never connected.
   */
  readonly def: AnyConnectionType | undefined;
  readonly name: string | undefined;
  /** Parsed by the type's schema: migrated, `${ENV}` substituted (document < process), defaults filled. */
  readonly config: unknown;
  /** Values of config fields marked secret (after substitution), to mask in logs and events. */
  readonly secretValues: readonly unknown[];
  /** Type, version, raw config, the document's env and the credentials' revision: a change reconnects it and restarts its nodes. */
  readonly signature: string;
}

/** A document turned into the graph the runtime runs. Disabled nodes and nodes on disabled tabs are left out. */
export interface CompiledFlow {
  readonly document: FlowDocument;
  readonly nodes: ReadonlyMap<string, CompiledNode>;
  /** Every connection entry, by id, used or not: the supervisor opens one only when a node that references it starts. */
  readonly connections: ReadonlyMap<string, CompiledConnection>;
}

/** Options of {@link compileFlow}. */
export interface CompileOptions {
  readonly registry: NodeRegistry;
  /** The outermost env layer (the process environment). */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly defaultQueueCapacity: number;
  /** The credential store's revision of a connection's secrets; part of its signature. Default: always 0. */
  readonly credentialRevision?: (connectionId: string) => number;
  /**
   * Parse a node's (migrated, substituted) config with its type's schema, for the node to keep.
   * Default: `def.config.safeParse(config)`. A deploy passes its config cache
   * (config-parse-cache.ts), so the parse validation already made is not made again.
   */
  readonly parseConfig?: (def: AnyNodeType, config: unknown) => z.ZodSafeParseResult<unknown>;
  /**
   * True when `${ENV}` substitution is known to leave this very config object as it is, with
   * nothing missing: then it is not walked again. A deploy passes its config cache's
   * {@link ConfigParseCache.substitutesToItself} (validation already substituted every config).
   */
  readonly substitutesToItself?: (config: unknown) => boolean;
}

/**
 * Compile a validated document into the runtime graph: for every enabled node its type, config
 * (migrated to the type's version, `${ENV}` substituted through tab < document < process, parsed by
 * the zod schema), queue settings, watch spec, connection references and edges (explicit wires
 * plus virtual wires, between enabled nodes, each once); and every connection entry. Never throws:
 * a config that does not parse, or a `watches` / `virtualWires` that throws, comes back as issues,
 * so a deploy can refuse before touching anything.
 *
 * @example
 * const compiled = compileFlow(validated.document!, { registry, processEnv: process.env, defaultQueueCapacity: 1000 });
 * if (!compiled.ok) return { ok: false, issues: compiled.issues };
 */
export function compileFlow(doc: FlowDocument, options: CompileOptions): { ok: true; flow: CompiledFlow } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const disabledTabs = new Set((doc.tabs ?? []).filter((t) => t.disabled === true).map((t) => t.id));
  const envSignatureOf = envSigner(doc);

  // One lookup per tab, shared by its nodes (it only reads the document and the process env).
  const envByTab = new Map<string | undefined, EnvLookup>();
  const envOf = (tab: string | undefined): EnvLookup => {
    let env = envByTab.get(tab);
    if (env === undefined) envByTab.set(tab, (env = envLookup(doc, tab, options.processEnv)));
    return env;
  };

  const connections = new Map<string, CompiledConnection>();
  (doc.connections ?? []).forEach((entry, index) => {
    const compiled = compileConnection(entry, index, doc, options, envSignatureOf(undefined));
    if (compiled.ok) connections.set(entry.id, compiled.connection);
    else issues.push(...compiled.issues);
  });

  const drafts = new Map<string, CompiledNodeRecord>();
  /** Links read from config, per node that has any; edges are added once every node is known. */
  const virtualOf = new Map<CompiledNodeRecord, VirtualWires>();
  /** Keys of a node's outgoing edges, once it has many (see addEdge). */
  const edgeKeys = new Map<CompiledNodeRecord, Set<string>>();
  const signatureOf = nodeSigner(envSignatureOf, connections);

  const nodes = doc.nodes;
  for (let index = 0; index < nodes.length; index++) {
    const entry = nodes[index]!;
    if (entry.disabled === true || (entry.tab !== undefined && disabledTabs.has(entry.tab))) continue;
    const def = options.registry.get(entry.type);
    if (!def) {
      issues.push({ severity: 'error', code: 'UNKNOWN_NODE_TYPE', path: nodeAt(index, 'type'), nodeId: entry.id, message: `unknown node type "${entry.type}"; the runtime was given no such type` });
      continue;
    }
    const env = envOf(entry.tab);
    let config: unknown;
    let substitutedConfig: unknown;
    try {
      const from = entry.typeVersion ?? 1;
      const migrated = from < def.version ? migrateConfig(def, entry.config, from) : entry.config;
      let substitutedValue: unknown = migrated;
      if (!options.substitutesToItself?.(migrated)) {
        const substituted = substituteEnv(migrated, env);
        // Indexed loops on the per-node path, not `for…of`: see the wires below.
        for (let i = 0; i < substituted.missing.length; i++) {
          const m = substituted.missing[i]!;
          issues.push({ severity: 'error', code: 'ENV_MISSING', path: nodeAt(index, 'config', ...m.path), nodeId: entry.id, message: `environment variable "${m.name}" is not defined` });
        }
        substitutedValue = substituted.value;
      }
      const parsed = options.parseConfig ? options.parseConfig(def, substitutedValue) : def.config.safeParse(substitutedValue);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
          issues.push({ severity: 'error', code: 'CONFIG_INVALID', path: nodeAt(index, 'config', ...path), nodeId: entry.id, message: issue.message });
        }
        continue;
      }
      config = parsed.data;
      substitutedConfig = substitutedValue;
    } catch (err) {
      issues.push({ severity: 'error', code: 'CONFIG_INVALID', path: nodeAt(index, 'config'), nodeId: entry.id, message: `preparing the config of "${entry.type}" failed: ${messageOf(err)}` });
      continue;
    }
    let watchSpec: WatchSpec | undefined;
    let virtualWires: VirtualWires | undefined;
    let refs: readonly ConnectionRefHit[];
    try {
      watchSpec = def.watches?.(config);
      virtualWires = def.virtualWires?.(config);
      // Most types have no connectionRef() field: no walk of the config, one shared empty list.
      refs = schemaMentions(def.config, CONNECTION_META_KEY) ? connectionRefsOf(def.config, substitutedConfig) : NO_REFS;
    } catch (err) {
      issues.push({ severity: 'error', code: 'CONFIG_INVALID', path: nodeAt(index, 'config'), nodeId: entry.id, message: `reading what "${entry.type}" watches or links to from its config failed: ${messageOf(err)}` });
      continue;
    }
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      // Validation reports these with more context; this guards callers that compile without validating.
      const target = connections.get(ref.id);
      if (!target) {
        issues.push({ severity: 'error', code: 'CONNECTION_UNKNOWN', path: nodeAt(index, 'config', ...ref.path), nodeId: entry.id, message: `node "${entry.id}" uses connection "${ref.id}", which does not exist` });
      } else if (target.type !== ref.type) {
        issues.push({
          severity: 'error',
          code: 'CONNECTION_TYPE_MISMATCH',
          path: nodeAt(index, 'config', ...ref.path),
          nodeId: entry.id,
          message: `node "${entry.id}" needs a "${ref.type}" connection here, but "${ref.id}" is a "${target.type}"`,
        });
      }
    }
    const node = new CompiledNodeRecord(entry, index, def, config, env, options.defaultQueueCapacity, watchSpec, refs, signatureOf);
    drafts.set(entry.id, node);
    if (virtualWires && virtualWires.length !== 0) virtualOf.set(node, virtualWires);
  }
  if (issues.length > 0) return { ok: false, issues };

  const addEdge = (edge: Edge) => {
    const from = drafts.get(edge.from.node);
    const to = drafts.get(edge.to.node);
    // An edge to or from a disabled node simply is not part of the running graph.
    if (!from || !to) return;
    // Each edge once. Most nodes have a handful of outgoing edges, where a scan beats making a key
    // string per edge; a node with many gets a set of keys.
    if (from.outgoing.length < 16) {
      const outgoing = from.outgoing;
      for (let i = 0; i < outgoing.length; i++) {
        const other = outgoing[i]!;
        if (other.from.port === edge.from.port && other.to.node === edge.to.node && other.to.port === edge.to.port) return;
      }
    } else {
      let keys = edgeKeys.get(from);
      if (keys === undefined) edgeKeys.set(from, (keys = new Set(from.outgoing.map(edgeKey))));
      const key = edgeKey(edge);
      if (keys.has(key)) return;
      keys.add(key);
    }
    from.addOutgoing(edge);
    to.addIncoming(edge);
  };
  // Indexed loops, not `for…of`: compiling runs once per deploy, mostly in the interpreter, where
  // each `for…of` step allocates an iterator result (with the other deploy loops, ~5 MB of a cold
  // 5,000-node deploy's ~34 MB allocated).
  const wires = doc.wires;
  for (let i = 0; i < wires.length; i++) {
    const wire = wires[i]!;
    addEdge({ from: wire.from, to: wire.to, virtual: false });
  }
  virtualOf.forEach((links, node) => {
    for (let i = 0; i < links.length; i++) addEdge({ from: { node: node.id, port: links[i]!.port }, to: links[i]!.to, virtual: true });
  });
  // Signatures are only compared for nodes that are in both the running and the next graph, so
  // each is made the first time a deploy diff asks (never, for a deploy into an empty runtime).
  return { ok: true, flow: { document: doc, nodes: drafts, connections } };
}

/** The path of an issue in `nodes[index]` (a function, not a closure per node: 5,000 of those otherwise). */
function nodeAt(index: number, ...rest: Array<string | number>): string {
  return formatJsonPath(['nodes', index, ...rest]);
}

type VirtualWires = ReadonlyArray<{ readonly port: string; readonly to: { readonly node: string; readonly port: string } }>;

const NO_REFS: readonly ConnectionRefHit[] = Object.freeze([]);
/** The edges of a node without any (a flow's sources have no incoming, its sinks no outgoing): replaced at the first edge. */
const NO_EDGES: Edge[] = Object.freeze([]) as unknown as Edge[];

/**
 * Compile one connection entry: its type (a `defineConnection` type, or a legacy node type of
 * category `connection`), its config migrated, `${ENV}` substituted through document < process and
 * parsed, and its signature. Used for every entry of a deploy, and for an entry the editor tests
 * before it is deployed. Never throws.
 *
 * @example
 * const c = compileConnection(entry, 0, runningDocument ?? {}, { registry, processEnv: process.env, defaultQueueCapacity: 1000 });
 */
export function compileConnection(
  entry: ConnectionEntry,
  index: number,
  doc: Pick<FlowDocument, 'env'>,
  options: CompileOptions,
  envSignature: string = stableStringify({ ...doc.env }),
): { ok: true; connection: CompiledConnection } | { ok: false; issues: ValidationIssue[] } {
  const at = (...rest: Array<string | number>) => formatJsonPath(['connections', index, ...rest]);
  const def = options.registry.connection(entry.type);
  const legacy = def ? undefined : options.registry.get(entry.type);
  const typeDef: Pick<AnyConnectionType, 'type' | 'version' | 'migrations' | 'config'> | undefined = def ?? (legacy?.category === 'connection' ? legacy : undefined);
  if (!typeDef) {
    return { ok: false, issues: [{ severity: 'error', code: 'UNKNOWN_NODE_TYPE', path: at('type'), nodeId: entry.id, message: `unknown connection type "${entry.type}"; the runtime was given no such type` }] };
  }
  const issues: ValidationIssue[] = [];
  let config: unknown;
  let secretValues: unknown[];
  try {
    const from = entry.typeVersion ?? 1;
    const migrated = from < typeDef.version ? migrateConfig(typeDef, entry.config, from) : entry.config;
    const substituted = substituteEnv(migrated, envLookup(doc, undefined, options.processEnv));
    for (const m of substituted.missing) {
      issues.push({ severity: 'error', code: 'ENV_MISSING', path: at('config', ...m.path), nodeId: entry.id, message: `environment variable "${m.name}" is not defined` });
    }
    const parsed = typeDef.config.safeParse(substituted.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        issues.push({ severity: 'error', code: 'CONFIG_INVALID', path: at('config', ...path), nodeId: entry.id, message: issue.message });
      }
    }
    if (issues.length > 0 || !parsed.success) return { ok: false, issues };
    config = parsed.data;
    secretValues = findMeta(typeDef.config, substituted.value, 'secret').map((hit) => hit.value);
  } catch (err) {
    return { ok: false, issues: [{ severity: 'error', code: 'CONFIG_INVALID', path: at('config'), nodeId: entry.id, message: `preparing the config of "${entry.type}" failed: ${messageOf(err)}` }] };
  }
  const signature = stableStringify({
    type: entry.type,
    typeVersion: entry.typeVersion ?? 1,
    config: entry.config,
    env: envSignature,
    credentials: options.credentialRevision?.(entry.id) ?? 0,
  });
  return { ok: true, connection: { id: entry.id, index, entry, type: entry.type, def, name: entry.name, config, secretValues, signature } };
}

/** The signature of the layered env a tab's nodes see (tab < document), made once per tab. */
function envSigner(doc: FlowDocument): (tab: string | undefined) => string {
  const byTab = new Map<string | undefined, string>();
  return (tab) => {
    let sig = byTab.get(tab);
    if (sig === undefined) {
      const tabEnv = tab === undefined ? undefined : doc.tabs?.find((t) => t.id === tab)?.env;
      sig = stableStringify({ ...doc.env, ...tabEnv });
      byTab.set(tab, sig);
    }
    return sig;
  };
}

/**
 * How a compiled node's signature is made. A function of its own (not a closure inside
 * `compileFlow`), so the running graph, which keeps it until the next deploy, keeps only what a
 * signature needs and not the compile's working state (edge keys, parsed-config cache).
 */
function nodeSigner(envSignatureOf: (tab: string | undefined) => string, connections: ReadonlyMap<string, CompiledConnection>): (node: CompiledNode) => string {
  return (node) =>
    stableStringify({
      type: node.def.type,
      version: node.def.version,
      config: node.entry.config,
      queue: { capacity: node.capacity, overflow: node.overflow },
      tab: node.tab ?? null,
      env: envSignatureOf(node.tab),
      out: node.outgoing.map(edgeKey).sort(),
      in: node.incoming.map(edgeKey).sort(),
      // A node restarts with the connections it uses, so it never holds on to a client of settings that are gone.
      ...(node.connections.length === 0
        ? {}
        : { connections: [...new Set(node.connections.map((ref) => ref.id))].sort().map((id) => [id, connections.get(id)?.signature ?? null]) }),
    });
}

/**
 * A {@link CompiledNode} whose signature is made when first read. Built straight from the entry
 * (no draft object copied into it: one object per node instead of two, on a 5,000-node deploy).
 */
class CompiledNodeRecord implements CompiledNode {
  // `declare`: assigned once in the constructor, without a define-to-undefined first (5,000 of these per large deploy).
  declare readonly id: string;
  declare readonly index: number;
  declare readonly entry: NodeEntry;
  declare readonly def: AnyNodeType;
  declare readonly name: string | undefined;
  declare readonly tab: string | undefined;
  declare readonly config: unknown;
  declare readonly env: EnvLookup;
  declare readonly capacity: number;
  declare readonly overflow: OverflowPolicy;
  declare readonly watchSpec: WatchSpec | undefined;
  declare outgoing: Edge[];
  declare incoming: Edge[];
  declare readonly connections: readonly ConnectionRefHit[];
  private memo: string | undefined;
  declare private readonly sign: (node: CompiledNode) => string;

  constructor(
    entry: NodeEntry,
    index: number,
    def: AnyNodeType,
    config: unknown,
    env: EnvLookup,
    defaultCapacity: number,
    watchSpec: WatchSpec | undefined,
    connections: readonly ConnectionRefHit[],
    sign: (node: CompiledNode) => string,
  ) {
    this.id = entry.id;
    this.index = index;
    this.entry = entry;
    this.def = def;
    this.name = entry.name;
    this.tab = entry.tab;
    this.config = config;
    this.env = env;
    this.capacity = entry.queue?.capacity ?? defaultCapacity;
    this.overflow = entry.queue?.overflow ?? 'block';
    this.watchSpec = watchSpec;
    this.outgoing = NO_EDGES;
    this.incoming = NO_EDGES;
    this.connections = connections;
    this.memo = undefined;
    this.sign = sign;
  }

  addOutgoing(edge: Edge): void {
    if (this.outgoing === NO_EDGES) this.outgoing = [edge];
    else this.outgoing.push(edge);
  }

  addIncoming(edge: Edge): void {
    if (this.incoming === NO_EDGES) this.incoming = [edge];
    else this.incoming.push(edge);
  }

  get signature(): string {
    return (this.memo ??= this.sign(this));
  }
}

function edgeKey(edge: Edge): string {
  return `${edge.from.node}\u0000${edge.from.port}\u0000${edge.to.node}\u0000${edge.to.port}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
