import { describe, expect, it } from 'vitest';
import { validateAgainstSchema, validateConfigLocally } from './validate-config.js';
import { connectionManifest, fixtureTypes, nodeManifest } from './node-types.fixture.js';

const check = (type: string, config: unknown) => validateConfigLocally(nodeManifest(type), config);
const brief = (issues: ReadonlyArray<{ path: ReadonlyArray<string | number>; message: string }>) => issues.map((i) => [i.path.join('.'), i.message]);

describe('validateConfigLocally', () => {
  it('accepts the examples the schemas give and an empty config where every field has a default', () => {
    expect(check('function', {})).toEqual([]);
    expect(check('change', { rules: [{ op: 'set', path: 'payload', value: 0 }] })).toEqual([]);
    expect(check('switch', { rules: [{ op: 'gt', value: 80, port: 'case1' }, { op: 'else', port: 'otherwise' }] })).toEqual([]);
    expect(validateConfigLocally(connectionManifest('modbus-device'), { host: '192.168.1.20' })).toEqual([]);
  });

  it('names the field and says the bound in plain words, with its unit', () => {
    expect(brief(check('function', { timeoutMs: 0, outputs: 1.5 }))).toEqual([
      ['outputs', 'Outputs must be a whole number'],
      ['timeoutMs', 'Time limit must be at least 1 ms'],
    ]);
    expect(brief(check('modbus-read', { device: 'plc', tags: [{ name: 't', address: 70000 }] }))).toEqual([['tags.0.address', 'Tags, item 1: Address must be at most 65535']]);
    expect(brief(check('change', {}))).toEqual([['rules', 'Rules is required']]);
    expect(brief(check('change', { rules: [] }))).toEqual([['rules', 'Rules needs at least one item']]);
  });

  it('reports a union only through the variant the discriminator picks', () => {
    const issues = check('change', { rules: [{ op: 'set' }, { op: 'move', path: 'a' }, { op: 'bogus' }] });
    expect(brief(issues)).toEqual([
      ['rules.0.path', 'Rules, item 1: Property is required'],
      ['rules.1.to', 'Rules, item 2: To property is required'],
      ['rules.2.op', 'Rules, item 3: Op must be one of "set", "delete" or "move"'],
    ]);
    expect(issues[0]!.path).toEqual(['rules', 0, 'path']);
    expect(brief(check('inject', { payload: { type: 'number', value: 'x' } }))).toEqual([['payload.value', 'Payload: Number must be a number']]);
  });

  it('says what a plain union or a set of constants allows', () => {
    expect(brief(check('mqtt-in', { broker: 'b', topic: 't', qos: 3 }))).toEqual([['qos', 'QoS must be one of 0, 1 or 2']]);
    expect(brief(check('catch', { scope: 'foo' }))).toEqual([['scope', 'Scope must be "tab" or "all" or a list']]);
    expect(brief(check('catch', { scope: ['a', ''] }))).toEqual([['scope.1', 'Scope, item 2 must not be empty']]);
  });

  it('names unknown fields, bad record keys, connection ids and patterns by example', () => {
    expect(brief(check('inject', { extra: 1, properties: { 'bad name': 1 } }))).toEqual([
      ['extra', '"extra" is not a field of this type'],
      ['properties.bad name', 'Extra properties "bad name" is not an allowed name'],
    ]);
    expect(brief(check('mqtt-in', { broker: 'no spaces!', topic: 't' }))).toEqual([['broker', 'Broker must be the id of a "mqtt-broker" connection entry']]);
    expect(brief(validateConfigLocally(connectionManifest('mqtt-broker'), { url: 'http://x', will: {} }))).toEqual([
      ['url', 'Broker URL does not have the expected form (e.g. "mqtt://127.0.0.1:1883")'],
      ['will.topic', 'Will: Topic is required'],
    ]);
  });

  it('leaves ${NAME} references to the server, which knows the env', () => {
    expect(check('mqtt-in', { broker: '${BROKER}', topic: 'a', qos: '${QOS}' })).toEqual([]);
    expect(brief(check('mqtt-in', { topic: '${TOPIC}' }))).toEqual([['broker', 'Broker is required']]);
  });

  it('compiles each schema once and checks every real manifest without throwing', () => {
    for (const m of [...fixtureTypes.nodes, ...fixtureTypes.connections]) {
      expect(Array.isArray(validateConfigLocally(m, {}))).toBe(true);
      expect(Array.isArray(validateConfigLocally(m, { nonsense: [1, { a: null }] }))).toBe(true);
    }
    const schema = nodeManifest('function').configSchema;
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) validateAgainstSchema(schema, { timeoutMs: i });
    // Compiling takes milliseconds; 200 cached validations take far less than 200 compilations would.
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
