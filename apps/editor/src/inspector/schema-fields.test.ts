import { describe, expect, it } from 'vitest';
import { configFields, fieldAt, humanize, isPlainObject, unitFromTitle, variantIndexOf, type Field, type JsonSchema, type ObjectField, type UnionField } from './schema-fields.js';
import { connectionManifest, fixtureTypes, nodeManifest } from './node-types.fixture.js';

const fieldsOf = (type: string): ObjectField => configFields(nodeManifest(type).configSchema);
const entry = (obj: Field, key: string): Field => {
  if (obj.kind !== 'object') throw new Error(`not an object: ${obj.kind}`);
  const hit = obj.fields.find((e) => e.key === key);
  if (!hit) throw new Error(`no field ${key}`);
  return hit.field;
};

/** Every field in a tree, with a dotted name, for sweeping assertions. */
function walk(field: Field, name: string, out: Array<[string, Field]> = []): Array<[string, Field]> {
  out.push([name, field]);
  if (field.kind === 'object') for (const e of field.fields) walk(e.field, name ? `${name}.${e.key}` : e.key, out);
  if (field.kind === 'list') walk(field.item, `${name}[]`, out);
  if (field.kind === 'record') walk(field.value, `${name}{}`, out);
  if (field.kind === 'union') for (const v of field.variants) walk(v.field, `${name}<${v.label}>`, out);
  return out;
}

const HINT_KEYS = ['unit', 'language', 'msgPath', 'topic', 'browse', 'multiline'] as const;
/** Subtrees that hold values, not schemas (an example tag's `unit: "degC"` is data). */
const VALUE_KEYS = new Set(['examples', 'default', 'const', 'enum']);

/** Every UI hint a raw schema carries, counted by key (a property named `unit` is a schema, not a hint). */
function hintCounts(schema: unknown, counts: Record<string, number> = {}): Record<string, number> {
  if (Array.isArray(schema)) for (const s of schema) hintCounts(s, counts);
  else if (isPlainObject(schema)) {
    for (const [key, value] of Object.entries(schema)) {
      if ((HINT_KEYS as readonly string[]).includes(key) && !isPlainObject(value)) counts[key] = (counts[key] ?? 0) + 1;
      else if (!VALUE_KEYS.has(key)) hintCounts(value, counts);
    }
  }
  return counts;
}

/** The schema with every UI hint taken out: what a third-party node without hints would send. */
function withoutHints(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutHints);
  if (!isPlainObject(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !((HINT_KEYS as readonly string[]).includes(key) && !isPlainObject(value)))
      .map(([key, value]) => [key, VALUE_KEYS.has(key) ? value : withoutHints(value)]),
  );
}

const allSchemas = (): Array<[string, JsonSchema]> => [
  ...fixtureTypes.nodes.map((m): [string, JsonSchema] => [m.type, m.configSchema]),
  ...fixtureTypes.connections.flatMap((m): Array<[string, JsonSchema]> => [
    [m.type, m.configSchema],
    ...(m.credentialsSchema ? [[`${m.type}.credentials`, m.credentialsSchema] as [string, JsonSchema]] : []),
  ]),
];

describe('UI hints in the real manifests', () => {
  it('come from the node definitions: every code, path, topic, browse, text-area and unit field carries its hint', () => {
    const raw: Record<string, number> = {};
    const drawn: Record<string, number> = {};
    const add = (key: string) => (drawn[key] = (drawn[key] ?? 0) + 1);
    for (const [type, schema] of allSchemas()) {
      for (const [k, n] of Object.entries(hintCounts(schema))) raw[k] = (raw[k] ?? 0) + n;
      for (const [name, f] of walk(configFields(schema), type)) {
        if (f.kind === 'code') add('language');
        if (f.kind === 'msgPath') add('msgPath');
        // inject's topic is msg.topic, not an MQTT topic: only the key names it one (the fallback).
        if (f.kind === 'topic' && name !== 'inject.topic') add('topic');
        if (f.kind === 'text' && f.browse) add('browse');
        if (f.kind === 'text' && f.multiline) add('multiline');
        if ((f.kind === 'number' || f.kind === 'integer') && f.unit !== undefined) add('unit');
      }
    }
    expect(raw).toEqual(drawn);
    expect(drawn).toMatchObject({ language: 3, topic: 5, browse: 3, multiline: 3 });
    const props = (type: string) => nodeManifest(type).configSchema['properties'] as Record<string, JsonSchema>;
    expect(props('function')['code']).toMatchObject({ language: 'javascript', title: 'Code' });
    expect(props('function')['memoryLimitMb']).toMatchObject({ unit: 'MB' });
    expect(props('mqtt-in')['topic']).toMatchObject({ topic: 'filter' });
    expect(props('debug')['property']).toMatchObject({ msgPath: true });
  });

  it('agree with the guesses kept as a fallback: the same manifests without hints give the same forms', () => {
    for (const [type, schema] of allSchemas()) {
      const bare = withoutHints(schema) as JsonSchema;
      expect(hintCounts(bare), type).toEqual({});
      expect(configFields(bare), type).toEqual(configFields(schema));
    }
  });
});

describe('configFields over the real manifests', () => {
  it('turns every node and connection schema into a tree, falling back to json only for real JSON values', () => {
    const jsonFields: string[] = [];
    for (const m of [...fixtureTypes.nodes, ...fixtureTypes.connections]) {
      const root = configFields(m.configSchema);
      expect(root.kind).toBe('object');
      for (const [name, f] of walk(root, m.type)) if (f.kind === 'json') jsonFields.push(`${name}:${f.types.join('|')}`);
    }
    // z.json() values and multi-type scalars, nothing else (a new json field here means a schema shape the form does not draw yet).
    expect(jsonFields.every((f) => /(value|Value|\{\}):/.test(f))).toBe(true);
    expect(jsonFields).toContain('change.rules[]<Set>.value:string|number|boolean|null|array|object');
    expect(jsonFields).toContain('switch.rules[]<<>.value:number|string');
  });

  it('reads a discriminated union (change rules by op) with its variants, labels and fields', () => {
    const rules = entry(fieldsOf('change'), 'rules');
    expect(rules).toMatchObject({ kind: 'list', required: true, minItems: 1, presentation: 'cards' });
    const rule = (rules as { item: Field }).item as UnionField;
    expect(rule.kind).toBe('union');
    expect(rule.discriminator).toBe('op');
    expect(rule.variants.map((v) => [v.tag, v.label])).toEqual([['set', 'Set'], ['delete', 'Delete'], ['move', 'Move']]);
    const move = rule.variants[2]!.field as ObjectField;
    expect(move.fields.map((e) => [e.key, e.field.kind, e.field.required])).toEqual([['path', 'msgPath', true], ['to', 'msgPath', true]]);
    expect(variantIndexOf(rule, { op: 'move', path: 'a', to: 'b' })).toBe(2);
    expect(variantIndexOf(rule, { op: 'nope' })).toBe(-1);
  });

  it('keeps a union default (inject payload) and labels variants without titles by their tag', () => {
    const payload = entry(fieldsOf('inject'), 'payload') as UnionField;
    expect(payload).toMatchObject({ kind: 'union', discriminator: 'type', hasDefault: true, default: { type: 'timestamp' } });
    expect(payload.variants.map((v) => v.label)).toEqual(['number', 'string', 'boolean', 'json', 'timestamp', 'date', 'env', 'none']);
    expect(variantIndexOf(payload, undefined)).toBe(4);
    expect(entry(payload.variants[3]!.field, 'value')).toMatchObject({ kind: 'json', title: 'JSON value' });
  });

  it('splits units out of titles and keeps bounds', () => {
    const fn = fieldsOf('function');
    expect(entry(fn, 'timeoutMs')).toMatchObject({ kind: 'integer', title: 'Time limit', unit: 'ms', minimum: 1, maximum: 600000, default: 1000 });
    expect(entry(fn, 'memoryLimitMb')).toMatchObject({ title: 'Memory limit', unit: 'MB' });
    expect(entry(fieldsOf('mqtt-out'), 'messageExpiryInterval')).toMatchObject({ title: 'Message expiry (MQTT 5)', unit: 's' });
    // "(MQTT 5)" is not a unit.
    expect(entry(fieldsOf('mqtt-in'), 'retainHandling')).toMatchObject({ kind: 'enum', title: 'Retain handling (MQTT 5)', options: [0, 1, 2] });
    expect(unitFromTitle('Poll interval (ms)')).toEqual({ title: 'Poll interval', unit: 'ms' });
    expect(unitFromTitle('Content type (MQTT 5)')).toEqual({ title: 'Content type (MQTT 5)' });
  });

  it('finds code bodies: JavaScript in function (code and On start), mustache in template, and nothing else', () => {
    const code: string[] = [];
    for (const m of fixtureTypes.nodes) for (const [name, f] of walk(configFields(m.configSchema), m.type)) if (f.kind === 'code') code.push(`${name}:${f.language}`);
    expect(code.sort()).toEqual(['function.code:javascript', 'function.setup:javascript', 'template.template:mustache']);
  });

  it('finds message paths, topics and connection references', () => {
    const kinds = new Map<string, string[]>();
    for (const m of [...fixtureTypes.nodes, ...fixtureTypes.connections]) {
      for (const [name, f] of walk(configFields(m.configSchema), m.type)) kinds.set(f.kind, [...(kinds.get(f.kind) ?? []), name]);
    }
    expect(kinds.get('msgPath')).toEqual(expect.arrayContaining(['debug.property', 'change.rules[]<Set>.path', 'change.rules[]<Move>.to', 'filter.topicProperty', 'split.keyProperty']));
    // An MQTT topic filter, a msg.topic value or an OPC UA node id is not a message path.
    for (const name of kinds.get('msgPath')!) expect(name).not.toMatch(/\.(topic|nodeId|cron|timezone|name)$/);
    expect(kinds.get('topic')!.sort()).toEqual(['inject.topic', 'mqtt-broker.birth.topic', 'mqtt-broker.will.topic', 'mqtt-in.topic', 'mqtt-out.responseTopic', 'mqtt-out.topic']);
    expect(entry(fieldsOf('mqtt-in'), 'topic')).toMatchObject({ kind: 'topic', wildcards: true });
    expect(entry(fieldsOf('mqtt-out'), 'topic')).toMatchObject({ kind: 'topic', wildcards: false });
    expect(entry(fieldsOf('debug'), 'property')).toMatchObject({ kind: 'msgPath', wholeMessage: true, default: 'payload' });
    const refs = (kinds.get('connectionRef') ?? []).sort();
    expect(refs).toEqual(fixtureTypes.nodes.flatMap((m) => m.connections.map((c) => `${m.type}.${c.pointer.slice(1)}`)).sort());
    expect(entry(fieldsOf('modbus-read'), 'device')).toMatchObject({ kind: 'connectionRef', connectionType: 'modbus-device', required: true });
  });

  it('draws Modbus tags as a register map, enum lists as checkboxes, OPC UA node ids with browse', () => {
    const tags = entry(fieldsOf('modbus-read'), 'tags');
    expect(tags).toMatchObject({ kind: 'list', presentation: 'registerMap' });
    const item = (tags as { item: ObjectField }).item;
    expect(item.fields.map((e) => e.key)).toEqual(['name', 'area', 'address', 'type', 'length', 'wordOrder', 'byteOrder', 'scale', 'offset', 'unit', 'deadband', 'unitId']);
    expect(entry(fieldsOf('modbus-write'), 'tags')).toMatchObject({ presentation: 'registerMap' });
    expect(entry(fieldsOf('function'), 'capabilities')).toMatchObject({ kind: 'list', presentation: 'checkboxes', default: ['console'] });
    expect(entry(fieldsOf('opcua-write'), 'nodeId')).toMatchObject({ kind: 'text', browse: true });
    expect((entry(fieldsOf('opcua-read'), 'nodeIds') as { item: Field }).item).toMatchObject({ kind: 'text', browse: true });
    const items = (entry(fieldsOf('opcua-subscribe'), 'items') as { item: ObjectField }).item;
    expect(entry(items, 'nodeId')).toMatchObject({ browse: true });
    expect(entry(items, 'deadband')).toMatchObject({ kind: 'object', required: false });
  });

  it('reads records, plain unions, separators and PEM text', () => {
    expect(entry(fieldsOf('inject'), 'properties')).toMatchObject({ kind: 'record', keyPattern: '^[A-Za-z_$][A-Za-z0-9_$]*$', value: { kind: 'json' } });
    expect(entry(fieldsOf('mqtt-out'), 'userProperties')).toMatchObject({ kind: 'record', value: { kind: 'text' } });
    const scope = entry(fieldsOf('catch'), 'scope') as UnionField;
    expect(scope).toMatchObject({ kind: 'union', default: 'tab' });
    expect(scope.discriminator).toBeUndefined();
    expect(scope.variants.map((v) => v.field.kind)).toEqual(['enum', 'list']);
    expect(variantIndexOf(scope, ['a'])).toBe(1);
    expect(variantIndexOf(scope, 'all')).toBe(0);
    expect(entry(fieldsOf('split'), 'separator')).toMatchObject({ kind: 'text', escapes: true, default: '\n' });
    const broker = configFields(connectionManifest('mqtt-broker').configSchema);
    expect(entry(broker, 'ca')).toMatchObject({ kind: 'text', multiline: true });
    expect(entry(broker, 'will')).toMatchObject({ kind: 'object', required: false });
    const creds = configFields(connectionManifest('opcua-endpoint').credentialsSchema!);
    expect(entry(creds, 'password')).toMatchObject({ kind: 'text', secret: true });
  });

  it('finds the field at a path through lists and the union variant the value takes', () => {
    const root = fieldsOf('change');
    const config = { rules: [{ op: 'set', path: 'a' }, { op: 'move', path: 'b', to: 'c' }] };
    expect(fieldAt(root, ['rules', 1, 'to'], config)?.field).toMatchObject({ kind: 'msgPath', title: 'To property' });
    expect(fieldAt(root, ['rules', 0, 'to'], config)).toBeUndefined();
    expect(humanize('retainHandling')).toBe('Retain handling');
  });

  it('reads explicit UI hints when a schema carries them (they win over the inferences)', () => {
    const root = configFields({
      type: 'object',
      properties: {
        wait: { type: 'integer', title: 'Wait', unit: 's' },
        source: { type: 'string', title: 'Source', msgPath: true },
        body: { type: 'string', title: 'Body', language: 'mustache' },
        filter: { type: 'string', title: 'Subscription', topic: 'filter' },
        point: { type: 'string', title: 'Point', browse: true },
        key: { type: 'string', title: 'Key', multiline: true },
        code: { type: 'string', title: 'Not code', language: 'javascript' },
        // Hints that contradict what the title, description or examples suggest.
        timeout: { type: 'integer', title: 'Timeout (ms)', unit: 's' },
        pem: { type: 'string', title: 'Fingerprint', description: 'Of the PEM certificate.', multiline: false },
        id: { type: 'string', title: 'Node id', browse: false },
        label: { type: 'string', title: 'Label', examples: ['payload'], msgPath: false },
        name: { type: 'string', title: 'Topic filter', topic: 'name' },
      },
      required: ['source'],
    });
    expect(root.fields.map((e) => [e.key, e.field.kind])).toEqual([
      ['wait', 'integer'], ['source', 'msgPath'], ['body', 'code'], ['filter', 'topic'], ['point', 'text'], ['key', 'text'], ['code', 'code'],
      ['timeout', 'integer'], ['pem', 'text'], ['id', 'text'], ['label', 'text'], ['name', 'topic'],
    ]);
    expect(entry(root, 'timeout')).toMatchObject({ unit: 's' });
    expect(entry(root, 'pem')).toMatchObject({ multiline: false });
    expect(entry(root, 'id')).toMatchObject({ browse: false });
    expect(entry(root, 'name')).toMatchObject({ wildcards: false });
    expect(entry(root, 'wait')).toMatchObject({ unit: 's', title: 'Wait' });
    expect(entry(root, 'source')).toMatchObject({ required: true });
    expect(entry(root, 'filter')).toMatchObject({ wildcards: true });
    expect(entry(root, 'point')).toMatchObject({ browse: true, multiline: false });
    expect(entry(root, 'key')).toMatchObject({ multiline: true });
  });
});
