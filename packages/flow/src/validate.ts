import * as z from 'zod';
import { checkPortEnd, IMPLICIT_ERROR_PORT, outputPortsOf, type ConnectCheck } from './can-connect.js';
import {
  connectionEntrySchema,
  envSchema,
  flowDocumentSchema,
  layoutSchema,
  nodeEntrySchema,
  tabSchema,
  wireSchema,
  type ConnectionEntry,
  type FlowDocument,
  type Layout,
  type NodeEntry,
  type Tab,
  type Wire,
} from './document.js';
import { envLookup, type EnvLookup } from './env-lookup.js';
import { cycleGroups } from './cycle-groups.js';
import type { NodeTypeInfo, ValidationIssue } from './issues.js';
import { formatJsonPath, type JsonPathSegment } from './json-path.js';
import { migrateDocument } from './migrate-document.js';
import { MAX_NESTING_DEPTH, tooDeepAt } from './nesting-depth.js';
import { safeParseFlowDocument } from './parse-flow-document.js';
import { schemaIssues } from './schema-issues.js';
import { exactJsonText } from './exact-json-text.js';
import { substituteEnv, type MissingEnvVar } from './substitute-env.js';

/** Options of {@link validate}. */
export interface ValidateOptions {
  /**
   * Look up a node or connection type. Without it, only what needs no type knowledge is checked
   * (structure, ids, tabs, wire ends exist, env, layout, cycles); ports, configs and type versions
   * are not.
   */
  readonly nodeTypes?: (type: string) => NodeTypeInfo | undefined;
  /**
   * The process environment, the outermost layer under the document's and the tab's `env`.
   * Omitted means empty: a `${NAME}` defined nowhere in the document is then ENV_MISSING.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What {@link validate} returns. */
export interface ValidationResult {
  /** False iff some issue has severity 'error'. */
  readonly ok: boolean;
  /** Every problem found, errors and warnings, grouped by check in a fixed order. */
  readonly issues: ValidationIssue[];
  /**
   * The document as parsed and migrated (document version, then each known node type's
   * `typeVersion`), with `${ENV}` references left in place. Present whenever the document is
   * structurally valid, even if other checks failed.
   */
  readonly document?: FlowDocument;
}

/**
 * Check a flow document completely and report every problem at once; never throws.
 *
 * In order: document-version migration (VERSION_UNSUPPORTED, MIGRATION_FAILED); structure against
 * the schema (SCHEMA_INVALID; the checks below still run on the entries that are well-formed);
 * unique ids among nodes and connections, and among tabs (DUPLICATE_ID); node tabs exist
 * (TAB_UNKNOWN); node types exist and are of the right kind (UNKNOWN_NODE_TYPE,
 * TYPE_KIND_MISMATCH); per-type config migration (TYPE_VERSION_UNSUPPORTED, MIGRATION_FAILED);
 * `${ENV}` references resolve through tab < document < process env (ENV_MISSING) and the
 * substituted config passes the type's check (CONFIG_INVALID); no secret is written in a config
 * (SECRET_IN_DOCUMENT: a credential field of a connection type, or a field marked
 * `secret: true` holding a literal rather than a whole `${NAME}` reference); every connection a
 * node's config refers to exists and has the expected type (CONNECTION_UNKNOWN,
 * CONNECTION_TYPE_MISMATCH); wires join existing nodes
 * (WIRE_DANGLING, WIRE_TO_CONNECTION) from an output to an input port (PORT_UNKNOWN,
 * WIRE_DIRECTION, the rule of `canConnect`) and are not repeated (warning WIRE_DUPLICATE);
 * virtual wires implied by config are checked the same way, with paths into the config;
 * layout refers to existing nodes (warning LAYOUT_UNKNOWN_NODE); and cycles (warning CYCLE).
 *
 * Every issue has a JSON path such as `$.nodes[3].config.rules[0].value` and, when the path is
 * inside a node or connection entry, that entry's id as `nodeId`.
 *
 * When a node type is at a newer version than a node's `typeVersion`, its config is upgraded with
 * `migrateConfig` and the returned document carries the new config and `typeVersion`; a node
 * already at the current version keeps its `typeVersion` as written (absent means 1), so loading
 * and saving an up-to-date document changes nothing.
 *
 * @example
 * const result = validate(JSON.parse(text), { nodeTypes: registry.info, env: process.env });
 * if (!result.ok) return reply(400, { code: 'CONFIG_INVALID', issues: result.issues });
 * await runtime.deploy(result.document!);
 */
export function validate(input: unknown, options: ValidateOptions = {}): ValidationResult {
  try {
    return new Validation(options).run(input);
  } catch (err) {
    // A bug here, or in a type's callback we did not expect to throw, must not take a deploy or
    // the editor down; it is reported like any other problem.
    return {
      ok: false,
      issues: [{ severity: 'error', code: 'INTERNAL_ERROR', path: '$', message: `validation failed unexpectedly: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
}

/** SCHEMA_INVALID for a value nested past {@link MAX_NESTING_DEPTH}, with the entry's id when it is inside one. */
function tooDeepIssue(raw: Record<string, unknown>, path: JsonPathSegment[]): ValidationIssue {
  const [list, index] = path;
  const entry = (list === 'nodes' || list === 'connections') && typeof index === 'number' ? (raw[list] as unknown[] | undefined)?.[index] : undefined;
  const id = entry !== null && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
  return {
    severity: 'error',
    code: 'SCHEMA_INVALID',
    path: formatJsonPath(path),
    message: `this value is nested more than ${MAX_NESTING_DEPTH} levels deep; a flow document may nest at most ${MAX_NESTING_DEPTH} levels (nothing else was checked)`,
    ...(typeof id === 'string' ? { nodeId: id } : {}),
  };
}

/** The parts of a document the checks work on; entries that failed the schema are `undefined`, keeping indexes (and so paths) intact. */
interface View {
  readonly nodes: ReadonlyArray<NodeEntry | undefined>;
  readonly connections: ReadonlyArray<ConnectionEntry | undefined>;
  readonly wires: ReadonlyArray<Wire | undefined>;
  readonly tabs: ReadonlyArray<Tab | undefined>;
  readonly env: Record<string, string> | undefined;
  readonly layout: Layout | undefined;
  /** False when `nodes` or `connections` was not an array: then no id can be called unknown. */
  readonly idsComplete: boolean;
  readonly tabsComplete: boolean;
  /** Ids (and tab ids) of entries that failed the schema: references to them are not reported. */
  readonly brokenIds: ReadonlySet<string>;
  readonly brokenTabIds: ReadonlySet<string>;
}

/** A node or connection the wires and virtual wires can refer to. */
interface Entity {
  readonly kind: 'node' | 'connection';
  readonly index: number;
  /** The type, when known and of the right kind. */
  info: NodeTypeInfo | undefined;
}

/** What `checkEntry` made of one entry: migrated, its config with `${ENV}` substituted, its type when usable. */
interface Checked {
  readonly entry: NodeEntry | ConnectionEntry;
  readonly config: Record<string, unknown>;
  readonly info: NodeTypeInfo | undefined;
}

const NO_PATHS: ReadonlySet<string> = new Set();
/** No missing variable (never pushed to). */
const NO_MISSING: readonly MissingEnvVar[] = Object.freeze([]);

const entryPath = (kind: 'node' | 'connection', index: number, ...rest: JsonPathSegment[]): string =>
  formatJsonPath([kind === 'node' ? 'nodes' : 'connections', index, ...rest]);

class Validation {
  private readonly issues: ValidationIssue[] = [];
  private readonly typeCache = new Map<string, NodeTypeInfo | undefined>();
  private readonly entities = new Map<string, Entity>();
  /** Edges for the cycle check, as indexes into `nodes` (no object per wire). */
  private readonly cycleFrom: number[] = [];
  private readonly cycleTo: number[] = [];
  /** Where each cycle edge comes from (a wire index, or a config path and node), to address a CYCLE warning. */
  private readonly edgeSources: Array<number | { path: string; nodeId: string }> = [];

  constructor(private readonly options: ValidateOptions) {}

  run(input: unknown): ValidationResult {
    const migrated = migrateDocument(input);
    if (!migrated.ok) return { ok: false, issues: migrated.issues };
    const raw = migrated.value;
    // Before any recursive check: past this depth they would overflow the stack, unaddressed.
    const deep = tooDeepAt(raw);
    if (deep) return { ok: false, issues: [tooDeepIssue(raw, deep)] };

    // The schema's answer, fast for large well-formed documents (see parse-flow-document.ts).
    const parsed = safeParseFlowDocument(raw);
    let view: View;
    if (parsed.success) {
      const doc = parsed.data;
      view = {
        nodes: doc.nodes,
        connections: doc.connections ?? [],
        wires: doc.wires,
        tabs: doc.tabs ?? [],
        env: doc.env,
        layout: doc.layout,
        idsComplete: true,
        tabsComplete: true,
        brokenIds: new Set(),
        brokenTabIds: new Set(),
      };
    } else {
      this.issues.push(...schemaIssues(parsed.error.issues, raw, flowDocumentSchema));
      view = salvage(raw);
    }

    const tabIds = this.checkTabs(view);
    this.checkIds(view);
    const migratedNodes = view.nodes.map((node, i) => (node ? this.checkEntry(view, 'node', i, node, tabIds) : undefined));
    const migratedConnections = view.connections.map((c, i) => (c ? this.checkEntry(view, 'connection', i, c, tabIds) : undefined));
    this.checkWires(view);
    view.nodes.forEach((node, i) => {
      const resolved = migratedNodes[i];
      if (node && resolved) this.checkVirtualWires(view, i, node, resolved);
    });
    this.checkLayout(view, tabIds);
    this.checkCycles(view);

    const ok = !this.issues.some((issue) => issue.severity === 'error');
    if (!parsed.success) return { ok, issues: this.issues };
    const doc = parsed.data;
    const document: FlowDocument = {
      ...doc,
      nodes: doc.nodes.map((node, i) => (migratedNodes[i]?.entry as NodeEntry | undefined) ?? node),
      ...(doc.connections ? { connections: doc.connections.map((c, i) => (migratedConnections[i]?.entry as ConnectionEntry | undefined) ?? c) } : {}),
    };
    return { ok, issues: this.issues, document };
  }

  private error(code: string, path: string, message: string, nodeId?: string): void {
    this.issues.push({ severity: 'error', code, path, message, ...(nodeId === undefined ? {} : { nodeId }) });
  }

  private warning(code: string, path: string, message: string, nodeId?: string): void {
    this.issues.push({ severity: 'warning', code, path, message, ...(nodeId === undefined ? {} : { nodeId }) });
  }

  private lookupType(type: string): NodeTypeInfo | undefined {
    const known = this.typeCache.get(type);
    if (known !== undefined || this.typeCache.has(type)) return known;
    const info = this.options.nodeTypes?.(type);
    this.typeCache.set(type, info);
    return info;
  }

  /** Duplicate tab ids; returns the set of tab ids nodes may name. */
  private checkTabs(view: View): ReadonlySet<string> {
    const first = new Map<string, number>();
    view.tabs.forEach((tab, i) => {
      if (!tab) return;
      const seen = first.get(tab.id);
      if (seen === undefined) first.set(tab.id, i);
      else this.error('DUPLICATE_ID', formatJsonPath(['tabs', i, 'id']), `tab id "${tab.id}" is already used by the tab at $.tabs[${seen}]; tab ids must be unique`);
    });
    return new Set([...first.keys(), ...view.brokenTabIds]);
  }

  /** Nodes and connections share one id space: wires and config refer to both by bare id. */
  private checkIds(view: View): void {
    const visit = (kind: 'node' | 'connection', entry: NodeEntry | ConnectionEntry | undefined, index: number): void => {
      if (!entry) return;
      const seen = this.entities.get(entry.id);
      if (!seen) {
        // `info` from the start: set later, it would give each entity a new shape and a property store.
        this.entities.set(entry.id, { kind, index, info: undefined });
        return;
      }
      this.error(
        'DUPLICATE_ID',
        entryPath(kind, index, 'id'),
        `id "${entry.id}" is already used by the ${seen.kind} at ${entryPath(seen.kind, seen.index)}; node and connection ids must be unique`,
        entry.id,
      );
    };
    view.nodes.forEach((node, i) => visit('node', node, i));
    view.connections.forEach((connection, i) => visit('connection', connection, i));
  }

  /**
   * Tab, type, type-version migration, env and config of one node or connection. Returns the
   * migrated entry (for the result document) and the env-substituted config (for virtual wires).
   */
  private checkEntry(
    view: View,
    kind: 'node' | 'connection',
    index: number,
    entry: NodeEntry | ConnectionEntry,
    tabIds: ReadonlySet<string>,
  ): Checked | undefined {
    const id = entry.id;
    const tab = kind === 'node' ? (entry as NodeEntry).tab : undefined;
    if (tab !== undefined && view.tabsComplete && !tabIds.has(tab)) {
      const known = tabIds.size === 0 ? 'the document has no tabs' : `expected one of: ${[...tabIds].join(', ')}`;
      this.error('TAB_UNKNOWN', entryPath(kind, index, 'tab'), `tab "${tab}" does not exist; ${known}`, id);
    }

    let info: NodeTypeInfo | undefined;
    if (this.options.nodeTypes) {
      info = this.lookupType(entry.type);
      if (!info) {
        const what = kind === 'node' ? 'node' : 'connection';
        this.error('UNKNOWN_NODE_TYPE', entryPath(kind, index, 'type'), `unknown ${what} type "${entry.type}"; expected a type provided by an installed node package`, id);
      } else if (info.kind !== kind) {
        const message =
          kind === 'node'
            ? `"${entry.type}" is a connection type, so it belongs in $.connections, not $.nodes`
            : `"${entry.type}" is a node type, so it belongs in $.nodes, not $.connections`;
        this.error('TYPE_KIND_MISMATCH', entryPath(kind, index, 'type'), message, id);
        info = undefined;
      }
    }
    const entity = this.entities.get(id);
    if (info && entity && entity.kind === kind && entity.index === index) entity.info = info;

    let current = entry;
    let configUsable = true;
    if (info) {
      const from = entry.typeVersion ?? 1;
      if (from > info.version) {
        this.error(
          'TYPE_VERSION_UNSUPPORTED',
          entryPath(kind, index, 'typeVersion'),
          `the config was written for version ${from} of "${entry.type}", but the installed type is version ${info.version}; expected typeVersion ≤ ${info.version} (upgrade the node package)`,
          id,
        );
        configUsable = false;
      } else if (from < info.version) {
        if (!info.migrateConfig) {
          this.error(
            'MIGRATION_FAILED',
            entryPath(kind, index, 'typeVersion'),
            `"${entry.type}" is at version ${info.version} and has no way to upgrade a config written for version ${from}`,
            id,
          );
          configUsable = false;
        } else {
          try {
            current = { ...entry, typeVersion: info.version, config: info.migrateConfig(entry.config, from) };
          } catch (err) {
            this.error(
              'MIGRATION_FAILED',
              entryPath(kind, index, 'config'),
              `upgrading the config of "${entry.type}" from version ${from} to ${info.version} failed: ${err instanceof Error ? err.message : String(err)}`,
              id,
            );
            configUsable = false;
          }
        }
      }
    }

    // One walk of the config says whether it is plain JSON data (its text then keys the config
    // cache of a deploy) and, through that text, whether it holds any `${`: most configs hold
    // none, and substituting them would walk them again only to change nothing.
    const jsonText = exactJsonText(current.config);
    const substituted =
      jsonText !== undefined && !jsonText.includes('${') ? { value: current.config, missing: NO_MISSING } : substituteEnv(current.config, this.envFor(view, tab));
    // Sets only for a config with problems: two or three per node were a measurable share of a 5,000-node validation.
    let missingPaths: Set<string> | undefined;
    // Indexed loops here, not `for…of`: this runs per entry, cold, in the interpreter, where a
    // `for…of` allocates an iterator and a result even over an empty list (two per node; with the
    // runtime's deploy loops, ~5 MB of a cold 5,000-node deploy's ~34 MB allocated).
    for (let i = 0; i < substituted.missing.length; i++) {
      const missing = substituted.missing[i]!;
      const path = entryPath(kind, index, 'config', ...missing.path);
      (missingPaths ??= new Set()).add(path);
      const layers = tab !== undefined ? `tab "${tab}" env, the document env or the process environment` : 'the document env or the process environment';
      this.error('ENV_MISSING', path, `environment variable "${missing.name}" is not defined; expected it in ${layers}`, id);
    }

    let invalidPaths: Set<string> | undefined;
    if (info && configUsable && info.validateConfig) {
      let problems: ReturnType<NonNullable<NodeTypeInfo['validateConfig']>>;
      try {
        problems = substituted.value === current.config ? info.validateConfig(substituted.value, jsonText) : info.validateConfig(substituted.value);
      } catch (err) {
        problems = [{ path: [], message: `the config check of "${entry.type}" failed: ${err instanceof Error ? err.message : String(err)}` }];
      }
      for (let i = 0; i < problems.length; i++) {
        const problem = problems[i]!;
        const path = entryPath(kind, index, 'config', ...problem.path);
        (invalidPaths ??= new Set()).add(path);
        // The unresolved `${NAME}` is already reported as ENV_MISSING; its type error is noise.
        if (missingPaths?.has(path)) continue;
        this.error('CONFIG_INVALID', path, problem.message, id);
      }
    }
    if (info && configUsable) {
      this.checkSecrets(kind, index, entry, info, current.config);
      if (kind === 'node') {
        const refused = invalidPaths === undefined && missingPaths === undefined ? NO_PATHS : new Set([...(invalidPaths ?? []), ...(missingPaths ?? [])]);
        this.checkConnectionRefs(view, index, entry, info, substituted.value, refused);
      }
    }
    return { entry: current, config: substituted.value, info: info && configUsable ? info : undefined };
  }

  /** Secrets belong in the credential store or the environment; the config is checked as written, before `${ENV}` substitution. */
  private checkSecrets(kind: 'node' | 'connection', index: number, entry: NodeEntry | ConnectionEntry, info: NodeTypeInfo, config: Record<string, unknown>): void {
    if (!info.secretsIn) return;
    let found: ReturnType<NonNullable<NodeTypeInfo['secretsIn']>>;
    try {
      found = info.secretsIn(config);
    } catch (err) {
      this.error('CONFIG_INVALID', entryPath(kind, index, 'config'), `the secret-field check of "${entry.type}" failed: ${err instanceof Error ? err.message : String(err)}`, entry.id);
      return;
    }
    for (const secret of found) this.error('SECRET_IN_DOCUMENT', entryPath(kind, index, 'config', ...secret.path), secret.message, entry.id);
  }

  /** Every connection a node's config names exists in $.connections and has the type the field expects. */
  private checkConnectionRefs(view: View, index: number, node: NodeEntry, info: NodeTypeInfo, config: Record<string, unknown>, invalidPaths: ReadonlySet<string>): void {
    if (!info.connectionRefs) return;
    let refs: ReturnType<NonNullable<NodeTypeInfo['connectionRefs']>>;
    try {
      refs = info.connectionRefs(config);
    } catch (err) {
      this.error('CONFIG_INVALID', entryPath('node', index, 'config'), `the connection references of "${node.type}" could not be read from its config: ${err instanceof Error ? err.message : String(err)}`, node.id);
      return;
    }
    for (const ref of refs) {
      const path = entryPath('node', index, 'config', ...ref.path);
      if (invalidPaths.has(path)) continue; // already reported as CONFIG_INVALID or ENV_MISSING
      const entity = this.entities.get(ref.id);
      if (!entity) {
        if (!view.idsComplete || view.brokenIds.has(ref.id)) continue;
        const ofType = [...this.entities.entries()].filter(([, e]) => e.kind === 'connection' && view.connections[e.index]?.type === ref.type).map(([id]) => id);
        const expected = ofType.length > 0 ? `expected one of: ${ofType.join(', ')}` : `the document has no "${ref.type}" connection; add one to $.connections`;
        this.error('CONNECTION_UNKNOWN', path, `node "${node.id}" uses connection "${ref.id}", which does not exist; ${expected}`, node.id);
        continue;
      }
      if (entity.kind !== 'connection') {
        this.error('CONNECTION_UNKNOWN', path, `node "${node.id}" uses connection "${ref.id}", but that id is a node; expected the id of a "${ref.type}" entry in $.connections`, node.id);
        continue;
      }
      const actual = view.connections[entity.index]?.type;
      if (actual !== undefined && actual !== ref.type) {
        this.error(
          'CONNECTION_TYPE_MISMATCH',
          path,
          `node "${node.id}" needs a "${ref.type}" connection here, but "${ref.id}" (${entryPath('connection', entity.index)}) is a "${actual}"`,
          node.id,
        );
      }
    }
  }

  private readonly envCache = new Map<string | undefined, EnvLookup>();

  private envFor(view: View, tab: string | undefined): EnvLookup {
    let lookup = this.envCache.get(tab);
    if (!lookup) {
      const tabs = view.tabs.filter((t): t is Tab => t !== undefined);
      lookup = envLookup({ env: view.env, tabs }, tab, this.options.env);
      this.envCache.set(tab, lookup);
    }
    return lookup;
  }

  private checkWires(view: View): void {
    // Repeats are found among the wires leaving the same node (one index, or a list, per source
    // node) rather than by a key string per wire (4,000 strings built and hashed on a 5,000-node
    // document). With the closures gone from checkWireEnd, this check went from 18.7 to 12.2 ms
    // (cold, median of 11, loaded 2-core machine).
    const wires = view.wires;
    const bySource = new Map<string, number | number[]>();
    for (let j = 0; j < wires.length; j++) {
      const wire = wires[j];
      if (!wire) continue;
      const from = this.checkWireEnd(view, wire, j, 'from');
      const to = this.checkWireEnd(view, wire, j, 'to');
      if (from && to) {
        this.cycleFrom.push(from.index);
        this.cycleTo.push(to.index);
        this.edgeSources.push(j);
      }
      const before = bySource.get(wire.from.node);
      const earlier = before === undefined ? undefined : sameWire(wires, before, wire);
      if (earlier !== undefined) {
        this.warning('WIRE_DUPLICATE', formatJsonPath(['wires', j]), `the same wire is already at $.wires[${earlier}]; expected each wire once (a message would be delivered twice)`);
      } else if (before === undefined) bySource.set(wire.from.node, j);
      else if (typeof before === 'number') bySource.set(wire.from.node, [before, j]);
      else before.push(j);
    }
  }

  /** The end's node entity when it is a node and the port fits (so the wire is part of the graph). */
  private checkWireEnd(view: View, wire: Wire, j: number, side: 'from' | 'to'): Entity | undefined {
    const ref = wire[side];
    const entity = this.entities.get(ref.node);
    const verb = side === 'from' ? 'starts at' : 'ends at';
    if (!entity) {
      if (view.idsComplete && !view.brokenIds.has(ref.node)) {
        this.error('WIRE_DANGLING', formatJsonPath(['wires', j, side, 'node']), `wire ${verb} node "${ref.node}", which does not exist; expected the id of a node in $.nodes`);
      }
      return undefined;
    }
    if (entity.kind === 'connection') {
      this.error(
        'WIRE_TO_CONNECTION',
        formatJsonPath(['wires', j, side, 'node']),
        `wire ${verb} "${ref.node}", which is a connection; connections are referenced by id from node config, not wired`,
      );
      return undefined;
    }
    if (!entity.info) return entity; // type unknown (or no lookup): the ports cannot be judged
    // The common answer (checkPortEnd's own first test) without a PortEnd object per wire end:
    // 8,000 of them, ~0.5 MB with their results, on a 5,000-node document.
    const info = entity.info;
    if (info.kind !== 'connection' && (side === 'from' ? outputPortsOf(info) : info.inputs).includes(ref.port)) return entity;
    // No closure for the path: two per wire, 8,000 on a 5,000-node document, for a rare refusal.
    const check = checkPortEnd({ info, port: ref.port, node: ref.node }, side);
    if (check.ok) return entity;
    this.error(check.code, formatJsonPath(['wires', j, side, 'port']), check.reason);
    return undefined;
  }

  /** Report a refused wire end; true when the end is fine. */
  private report(check: ConnectCheck, path: string | (() => string), prefix = '', nodeId?: string): boolean {
    if (!check.ok) this.error(check.code, typeof path === 'string' ? path : path(), prefix + check.reason, nodeId);
    return check.ok;
  }

  private checkVirtualWires(view: View, index: number, node: NodeEntry, resolved: Checked): void {
    const info = resolved.info;
    if (!info?.virtualWires || info.kind !== 'node') return;
    let virtual: ReturnType<NonNullable<NodeTypeInfo['virtualWires']>>;
    try {
      virtual = info.virtualWires(resolved.config);
    } catch (err) {
      this.error('CONFIG_INVALID', entryPath('node', index, 'config'), `the links of "${node.type}" could not be read from its config: ${err instanceof Error ? err.message : String(err)}`, node.id);
      return;
    }
    // A node with no declared outputs sends on `out`, reachable only through virtual wires.
    const outputs = info.outputs.length === 0 ? ['out', IMPLICIT_ERROR_PORT] : outputPortsOf(info);
    for (const link of virtual) {
      const where = findString(resolved.entry.config, link.to.node);
      const path = entryPath('node', index, 'config', ...(where ?? []));
      const sourceOk = outputs.includes(link.port);
      if (!sourceOk) {
        this.error('PORT_UNKNOWN', path, `node "${node.id}" links from port "${link.port}", which it does not have; its outputs are: ${outputs.join(', ')}`, node.id);
      }
      const target = this.entities.get(link.to.node);
      const prefix = `node "${node.id}" links to "${link.to.node}" port "${link.to.port}", but `;
      if (!target) {
        if (view.idsComplete && !view.brokenIds.has(link.to.node)) {
          this.error('WIRE_DANGLING', path, `${prefix}no node has that id; expected the id of a node in $.nodes`, node.id);
        }
        continue;
      }
      if (target.kind === 'connection') {
        this.error('WIRE_TO_CONNECTION', path, `${prefix}that is a connection; links go to nodes`, node.id);
        continue;
      }
      const targetOk = !target.info || this.report(checkPortEnd({ info: target.info, port: link.to.port, node: link.to.node }, 'to'), path, `node "${node.id}" links to a port that cannot receive: `, node.id);
      if (!sourceOk || !targetOk) continue;
      // Edges join the first node of an id, as wires do.
      this.cycleFrom.push(this.entities.get(node.id)!.index);
      this.cycleTo.push(target.index);
      this.edgeSources.push({ path, nodeId: node.id });
    }
  }

  private checkLayout(view: View, tabIds: ReadonlySet<string>): void {
    const layout = view.layout;
    if (!layout || !view.idsComplete) return;
    const isNode = (id: string): boolean => this.entities.get(id)?.kind === 'node' || view.brokenIds.has(id);
    for (const id of Object.keys(layout.nodes ?? {})) {
      if (!isNode(id)) {
        this.warning('LAYOUT_UNKNOWN_NODE', formatJsonPath(['layout', 'nodes', id]), `layout has a position for "${id}", which is not a node; expected the id of a node in $.nodes (a stale entry can be deleted)`);
      }
    }
    const groupIds = new Map<string, number>();
    (layout.groups ?? []).forEach((group, g) => {
      const earlier = groupIds.get(group.id);
      if (earlier === undefined) groupIds.set(group.id, g);
      else this.warning('DUPLICATE_ID', formatJsonPath(['layout', 'groups', g, 'id']), `group id "${group.id}" is already used by $.layout.groups[${earlier}]; group ids must be unique`);
      if (group.tab !== undefined && view.tabsComplete && !tabIds.has(group.tab)) {
        this.warning('TAB_UNKNOWN', formatJsonPath(['layout', 'groups', g, 'tab']), `group "${group.id}" is on tab "${group.tab}", which does not exist; expected the id of a tab in $.tabs`);
      }
      group.nodes.forEach((id, m) => {
        if (!isNode(id)) {
          this.warning('LAYOUT_UNKNOWN_NODE', formatJsonPath(['layout', 'groups', g, 'nodes', m]), `group "${group.id}" lists "${id}", which is not a node; expected the id of a node in $.nodes`);
        }
      });
    });
  }

  private checkCycles(view: View): void {
    const from = this.cycleFrom;
    const to = this.cycleTo;
    for (const group of cycleGroups(view.nodes.length, from, to)) {
      const members = new Set(group);
      let at = 0;
      while (at < from.length && !(members.has(from[at]!) && members.has(to[at]!))) at++;
      const source = this.edgeSources[at];
      const where = typeof source === 'number' ? { path: formatJsonPath(['wires', source]), nodeId: undefined } : (source ?? { path: '$', nodeId: undefined });
      const cycle = group.map((i) => view.nodes[i]!.id);
      const ids = cycle.map((id) => `"${id}"`).join(', ');
      const what = cycle.length === 1 ? `node ${ids} is wired to itself` : `nodes ${ids} form a cycle`;
      this.warning(
        'CYCLE',
        where.path,
        `${what}: a message can travel around it forever; expected a node in the loop to stop it (e.g. a retry counter) if the loop is intended`,
        where.nodeId,
      );
    }
  }
}

/**
 * The well-formed parts of a document that failed the schema, so the other checks still run
 * and the user gets every problem in one go. Unknown keys are ignored here (they were reported).
 */
function salvage(raw: Record<string, unknown>): View {
  const brokenIds = new Set<string>();
  const brokenTabIds = new Set<string>();
  const entries = <T>(value: unknown, schema: z.ZodType<T>, broken?: Set<string>): Array<T | undefined> => {
    if (!Array.isArray(value)) return [];
    return value.map((item: unknown) => {
      const result = schema.safeParse(item);
      if (result.success) return result.data;
      const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['id'] : undefined;
      if (broken && typeof id === 'string') broken.add(id);
      return undefined;
    });
  };
  const lenient = <S extends z.ZodObject>(schema: S) => z.object(schema.shape);
  const env = envSchema.safeParse(raw['env']);
  const layout = layoutSchema.safeParse(raw['layout']);
  const connections = raw['connections'];
  return {
    nodes: entries(raw['nodes'], lenient(nodeEntrySchema), brokenIds) as Array<NodeEntry | undefined>,
    connections: entries(connections, lenient(connectionEntrySchema), brokenIds) as Array<ConnectionEntry | undefined>,
    wires: entries(raw['wires'], lenient(wireSchema)) as Array<Wire | undefined>,
    tabs: entries(raw['tabs'], lenient(tabSchema), brokenTabIds) as Array<Tab | undefined>,
    env: env.success ? env.data : undefined,
    layout: layout.success ? layout.data : undefined,
    idsComplete: Array.isArray(raw['nodes']) && (connections === undefined || Array.isArray(connections)),
    tabsComplete: raw['tabs'] === undefined || Array.isArray(raw['tabs']),
    brokenIds,
    brokenTabIds,
  };
}

/** The first of the wires at `at` (an index or a list of them) equal to `wire`. */
function sameWire(wires: ReadonlyArray<Wire | undefined>, at: number | readonly number[], wire: Wire): number | undefined {
  const same = (k: number): boolean => {
    const other = wires[k]!;
    return other.from.port === wire.from.port && other.to.node === wire.to.node && other.to.port === wire.to.port;
  };
  if (typeof at === 'number') return same(at) ? at : undefined;
  return at.find(same);
}

/** The path of the first string equal to `needle` inside `value`, to point a virtual-wire issue at the config field that names the target. */
function findString(value: unknown, needle: string, path: JsonPathSegment[] = []): JsonPathSegment[] | undefined {
  if (value === needle) return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findString(value[i], needle, [...path, i]);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = findString(item, needle, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
