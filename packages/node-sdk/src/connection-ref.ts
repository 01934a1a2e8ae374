import * as z from 'zod';
import { findMeta, type ConfigPath } from './schema-walk.js';

/** The metadata key that marks a config field as a reference to a connection entry. */
export const CONNECTION_META_KEY = 'connection';

/** Options of {@link connectionRef}: the field's label and help text in the editor and docs. */
export interface ConnectionRefMeta {
  readonly title?: string;
  readonly description?: string;
}

/** A field of a node's config that names a connection entry, found by {@link connectionRefsOf}. */
export interface ConnectionRefHit {
  /** Where in the config, e.g. `['broker']` or `['targets', 2, 'device']`. */
  readonly path: ConfigPath;
  /** The connection entry's id, as written in the config. */
  readonly id: string;
  /** The connection type the field expects, e.g. `mqtt-broker`. */
  readonly type: string;
}

// The id rule of the flow document (idSchema in @plantwire/flow), restated so the error can say what is expected.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * A config field that references a connection entry (`$.connections[]`) by id. It carries
 * `.meta({ connection: type })`, from which everything else derives: validation checks that the
 * entry exists and has this type (CONNECTION_UNKNOWN, CONNECTION_TYPE_MISMATCH), the runtime opens
 * the connection when the node starts and restarts the node when the entry changes, the editor
 * shows a picker of connections of that type, and the docs say what the field expects.
 *
 * `type` is a connection type name or the defined type itself. Chain `.optional()` for a node that
 * can work without the connection.
 *
 * @example
 * export const mqttIn = defineNode({
 *   type: 'mqtt-in', version: 1, category: 'source', summary: 'Subscribe to an MQTT topic.',
 *   outputs: { out: 'One message per MQTT publish.' },
 *   config: z.object({ broker: connectionRef(mqttBroker, { title: 'Broker' }), topic: z.string() }),
 *   setup(ctx) {
 *     ctx.connection<ConnectionClient<typeof mqttBroker>>(ctx.config.broker).onConnected((client) => client.subscribe(ctx.config.topic));
 *   },
 * });
 */
export function connectionRef(type: string | { readonly type: string }, meta: ConnectionRefMeta = {}) {
  const name = typeof type === 'string' ? type : type.type;
  return z
    .string()
    .regex(ID_PATTERN, `expected the id of a "${name}" connection entry (1-128 letters, digits, "_", ".", ":" or "-")`)
    .meta({
      title: meta.title ?? 'Connection',
      description: meta.description ?? `Id of a \`${name}\` entry in the document's connections.`,
      [CONNECTION_META_KEY]: name,
    });
}

/**
 * The connection references in a config, derived from the `connectionRef()` fields of its schema.
 * Fields that are missing (optional) or not strings are skipped; the schema check reports those.
 *
 * @example
 * connectionRefsOf(mqttIn.config, { broker: 'plant', topic: 'a/b' }) // [{ path: ['broker'], id: 'plant', type: 'mqtt-broker' }]
 */
export function connectionRefsOf(schema: z.ZodType, config: unknown): ConnectionRefHit[] {
  return findMeta(schema, config, CONNECTION_META_KEY)
    .filter((hit) => typeof hit.value === 'string' && hit.value !== '')
    .map((hit) => ({ path: hit.path, id: hit.value as string, type: String(hit.meta[CONNECTION_META_KEY]) }));
}
