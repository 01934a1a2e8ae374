import { describe, expect, it } from 'vitest';
import { substituteEnv } from './substitute-env.js';

const env: Record<string, string> = { HOST: 'plc-7', PORT: '502', RATIO: '-2.5e3', ON: 'true', OFF: 'false', LABEL: 'Line 3', ZIP: '007', REF: '${HOST}' };
const lookup = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : undefined);

describe('substituteEnv', () => {
  it('replaces references anywhere in strings, deep inside objects and arrays', () => {
    const config = { url: 'modbus://${HOST}:${PORT}', tags: [{ name: 'temp on ${HOST}' }], nested: { deeper: ['${LABEL}!'] }, count: 3, none: null };
    expect(substituteEnv(config, lookup)).toEqual({
      value: { url: 'modbus://plc-7:502', tags: [{ name: 'temp on plc-7' }], nested: { deeper: ['Line 3!'] }, count: 3, none: null },
      missing: [],
    });
  });

  it('turns a string that is exactly one reference to a JSON number or boolean into that value', () => {
    expect(substituteEnv(['${PORT}', '${RATIO}', '${ON}', '${OFF}', '${LABEL}', '${ZIP}', 'port ${PORT}'], lookup).value).toEqual([502, -2500, true, false, 'Line 3', '007', 'port 502']);
  });

  it('treats $${NAME} as an escaped literal', () => {
    expect(substituteEnv({ a: '$${HOST}', b: 'x $${HOST} ${HOST}', c: '$${UNDEFINED}' }, lookup)).toEqual({
      value: { a: '${HOST}', b: 'x ${HOST} plc-7', c: '${UNDEFINED}' },
      missing: [],
    });
  });

  it('reports missing variables with their paths and leaves the reference in place', () => {
    const result = substituteEnv({ url: 'mqtt://${BROKER}:${PORT}', rules: [{ value: '${UNIT}' }] }, lookup);
    expect(result.value).toEqual({ url: 'mqtt://${BROKER}:502', rules: [{ value: '${UNIT}' }] });
    expect(result.missing).toEqual([
      { path: ['url'], name: 'BROKER' },
      { path: ['rules', 0, 'value'], name: 'UNIT' },
    ]);
  });

  it('does not substitute inside substituted values, keys, or malformed references', () => {
    expect(substituteEnv({ '${HOST}': '${REF}', b: '${} ${a-b} $HOST {HOST} ${1X}' }, lookup).value).toEqual({ '${HOST}': '${HOST}', b: '${} ${a-b} $HOST {HOST} ${1X}' });
  });

  it('never mutates its input and shares what did not change', () => {
    const untouched = { rules: [{ op: 'delete', path: 'raw' }] };
    const input = Object.freeze({ host: '${HOST}', untouched: Object.freeze(untouched) });
    const result = substituteEnv(input, lookup);
    expect(result.value).toEqual({ host: 'plc-7', untouched });
    expect(result.value.untouched).toBe(untouched);
    expect(input.host).toBe('${HOST}');
    const same = { a: 1, b: ['x'] };
    expect(substituteEnv(same, lookup).value).toBe(same);
  });

  it('passes non-string scalars through', () => {
    expect(substituteEnv(42, lookup).value).toBe(42);
    expect(substituteEnv('${PORT}', lookup).value).toBe(502);
  });

  // The walks share one path stack: a lookup that throws, or that substitutes itself, must leave
  // every later (and every outer) path right.
  it('reports paths relative to its own value after a throwing lookup and inside a nested substitution', () => {
    const throwing = (): string => {
      throw new Error('vault down');
    };
    expect(() => substituteEnv({ a: [{ b: '${X}' }] }, throwing)).toThrow('vault down');
    expect(substituteEnv({ c: ['${NOPE}'] }, lookup).missing).toEqual([{ path: ['c', 0], name: 'NOPE' }]);

    const nested = (name: string): string | undefined => (name === 'INNER' ? undefined : String(substituteEnv({ deep: { x: '${INNER}' } }, nested).missing[0]!.path.join('.')));
    const outer = substituteEnv({ p: { q: '${OUTER}', r: '${MISSING_TOO}' } }, (name) => (name === 'OUTER' ? nested(name) : undefined));
    expect(outer.value).toEqual({ p: { q: 'deep.x', r: '${MISSING_TOO}' } });
    expect(outer.missing).toEqual([{ path: ['p', 'r'], name: 'MISSING_TOO' }]);
    expect(substituteEnv('${NOPE}', lookup).missing).toEqual([{ path: [], name: 'NOPE' }]);
  });
});
