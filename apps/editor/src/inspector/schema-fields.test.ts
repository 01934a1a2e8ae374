import { describe, expect, it } from 'vitest';
import { configFields, fieldAt, humanize, unitFromTitle, variantIndexOf, type Field, type ObjectField, type UnionField } from './schema-fields.js';
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
      },
      required: ['source'],
    });
    expect(root.fields.map((e) => [e.key, e.field.kind])).toEqual([
      ['wait', 'integer'], ['source', 'msgPath'], ['body', 'code'], ['filter', 'topic'], ['point', 'text'], ['key', 'text'], ['code', 'code'],
    ]);
    expect(entry(root, 'wait')).toMatchObject({ unit: 's', title: 'Wait' });
    expect(entry(root, 'source')).toMatchObject({ required: true });
    expect(entry(root, 'filter')).toMatchObject({ wildcards: true });
    expect(entry(root, 'point')).toMatchObject({ browse: true, multiline: false });
    expect(entry(root, 'key')).toMatchObject({ multiline: true });
  });
});
