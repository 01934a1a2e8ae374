import * as z from 'zod';

/** The flow document version this package writes. Older versions are upgraded by `migrateDocument()`. */
export const FLOW_DOCUMENT_VERSION = 1;

/** Ids are short, stable and safe in URLs, file names and JSON paths. */
export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'an id is 1-128 letters, digits, "_", ".", ":" or "-", starting with a letter or digit')
  .meta({ title: 'Id' });

/** A named port of a node: `{node: "n1", port: "out"}`. */
export const portRefSchema = z
  .object({
    node: idSchema.meta({ description: 'Id of the node.' }),
    port: z.string().min(1).meta({ description: 'Name of the port on that node.' }),
  })
  .strict();

/** An explicit edge from an output port to an input port. */
export const wireSchema = z
  .object({
    from: portRefSchema.meta({ description: 'The output port the messages leave from.' }),
    to: portRefSchema.meta({ description: 'The input port the messages arrive at.' }),
  })
  .strict();

/** How a source reacts when the pressure from full downstream queues reaches it. */
export const overflowPolicySchema = z.enum(['block', 'drop-oldest', 'keep-latest-per-topic']).meta({
  description:
    'block: the source pauses (readers stop reading, pollers and timers skip and count); drop-oldest: the oldest waiting message is dropped and counted; keep-latest-per-topic: a waiting message is replaced by a newer one with the same topic.',
});

/** Runtime settings of a node's queues, apart from its type-specific config. */
export const queueSettingsSchema = z
  .object({
    capacity: z.int().min(1).max(1_000_000).optional().meta({ description: 'Messages the input (and a source\'s output) queue holds before pressure travels upstream.' }),
    overflow: overflowPolicySchema.optional(),
  })
  .strict();

/** Environment variables: `${NAME}` in a config value is replaced by the innermost definition. */
export const envSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name is letters, digits and "_", not starting with a digit'),
  z.string(),
);

export const nodeEntrySchema = z
  .object({
    id: idSchema,
    type: z.string().min(1).meta({ description: 'Node type, e.g. "change" or "mqtt-in".' }),
    typeVersion: z.int().min(1).optional().meta({ description: 'Version of the node type the config was written for; missing means 1.' }),
    name: z.string().optional().meta({ description: 'Label shown in the editor and in logs.' }),
    tab: idSchema.optional().meta({ description: 'Id of the tab the node lives on; catch and status nodes are scoped to it.' }),
    disabled: z.boolean().optional(),
    queue: queueSettingsSchema.optional(),
    config: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Type-specific settings, validated against the node type\'s schema.' }),
  })
  .strict();

export const connectionEntrySchema = z
  .object({
    id: idSchema,
    type: z.string().min(1).meta({ description: 'Connection type, e.g. "mqtt-broker".' }),
    typeVersion: z.int().min(1).optional(),
    name: z.string().optional(),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const tabSchema = z
  .object({
    id: idSchema,
    label: z.string(),
    disabled: z.boolean().optional(),
    env: envSchema.optional(),
  })
  .strict();

export const positionSchema = z
  .object({ x: z.number(), y: z.number(), width: z.number().optional(), height: z.number().optional() })
  .strict();

export const groupSchema = z
  .object({
    id: idSchema,
    label: z.string().optional(),
    tab: idSchema.optional(),
    nodes: z.array(idSchema),
    style: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** Editor geometry. Kept apart from semantics: changing it never restarts anything. */
export const layoutSchema = z
  .object({
    nodes: z.record(z.string(), positionSchema).optional(),
    groups: z.array(groupSchema).optional(),
  })
  .strict();

export const flowDocumentSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(FLOW_DOCUMENT_VERSION),
    name: z.string().optional(),
    description: z.string().optional(),
    env: envSchema.optional(),
    tabs: z.array(tabSchema).optional(),
    nodes: z.array(nodeEntrySchema),
    connections: z.array(connectionEntrySchema).optional(),
    wires: z.array(wireSchema),
    layout: layoutSchema.optional(),
  })
  .strict()
  .meta({ title: 'Plantwire flow document', description: 'A pipeline of nodes, their explicit wires and shared connections.' });

export type PortRef = z.infer<typeof portRefSchema>;
export type Wire = z.infer<typeof wireSchema>;
export type OverflowPolicy = z.infer<typeof overflowPolicySchema>;
export type QueueSettings = z.infer<typeof queueSettingsSchema>;
export type NodeEntry = z.infer<typeof nodeEntrySchema>;
export type ConnectionEntry = z.infer<typeof connectionEntrySchema>;
export type Tab = z.infer<typeof tabSchema>;
export type Layout = z.infer<typeof layoutSchema>;
export type FlowDocument = z.infer<typeof flowDocumentSchema>;
