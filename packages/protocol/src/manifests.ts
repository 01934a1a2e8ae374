/**
 * Node and connection types as data: what the server serves at `GET /api/node-types` and the
 * editor renders its palette, canvas nodes and property forms from. `@plantwire/node-sdk` derives
 * them from the definitions (`toManifest`, `toConnectionManifest`); nobody writes one by hand.
 */
import type { NodeTypeInfo } from '@plantwire/flow';

/** Palette groups. */
export type NodeCategory = 'source' | 'transform' | 'sink' | 'flow' | 'connection';

/** Port name → one-line description (docs and editor tooltips). */
export type PortMap = Readonly<Record<string, string>>;

export interface NodeManifest {
  readonly type: string;
  readonly version: number;
  readonly category: NodeCategory;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly icon?: string | undefined;
  readonly inputs: PortMap;
  readonly outputs: PortMap;
  /** JSON Schema (draft 2020-12) of the config as written in a document: titles, defaults, examples, `secret: true` markers. */
  readonly configSchema: Record<string, unknown>;
  /** JSON pointers (into the config) of secret fields; their values never leave the server. */
  readonly secrets: readonly string[];
  /**
   * Config fields declared with `connectionRef()`: JSON pointer (array items as `/*`) and the
   * connection type they take, so the editor offers a picker of entries of that type.
   */
  readonly connections: ReadonlyArray<{ readonly pointer: string; readonly type: string }>;
  /** True when the node can be fired on demand (the editor's "inject now" button on an inject node; `runtime.trigger`). */
  readonly triggerable?: boolean | undefined;
  /**
   * True when nodes of this type can write to devices: deploying one that is new or changed may
   * need the elevated role (the server's 403 names the node and why). The editor shows a lock.
   */
  readonly privileged?: boolean | undefined;
}

/**
 * A connection type as data (the connection form, the "test connection" button, docs). Credential
 * fields are described so the editor can draw a write-only form; a manifest never holds a value.
 */
export interface ConnectionManifest {
  readonly kind: 'connection';
  readonly type: string;
  readonly version: number;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly icon?: string | undefined;
  /** JSON Schema (draft 2020-12) of the config as written in a document. */
  readonly configSchema: Record<string, unknown>;
  /** Names of the credential fields, kept in the credential store and never in the document. */
  readonly credentialFields: readonly string[];
  /** JSON Schema of the credentials object (field titles, types, required); absent when the type has none. */
  readonly credentialsSchema?: Record<string, unknown> | undefined;
  /** JSON pointers of config fields marked `secret: true` (allowed only as a `${NAME}` reference). */
  readonly secrets: readonly string[];
  /** True when the type has its own `test`; every connection type can be tested (else by connecting). */
  readonly customTest: boolean;
  /** True when the type can list a device's address space (`GET /api/connections/:id/browse`), e.g. OPC UA. */
  readonly browsable?: boolean | undefined;
}

/**
 * What the flow package's wiring rules (`canConnect`, `checkPortEnd`) need of a type, from its
 * manifest: the editor's `isValidConnection` and the server's validation use the same rules.
 */
export function nodeTypeInfoOf(manifest: NodeManifest | ConnectionManifest): NodeTypeInfo {
  if ('kind' in manifest && manifest.kind === 'connection') {
    return { kind: 'connection', version: manifest.version, inputs: [], outputs: [] };
  }
  const node = manifest as NodeManifest;
  return { kind: 'node', version: node.version, inputs: Object.keys(node.inputs), outputs: Object.keys(node.outputs) };
}
