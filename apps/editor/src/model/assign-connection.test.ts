import { describe, expect, it } from 'vitest';
import { assignConnection } from './assign-connection.js';
import { manifestOf } from './fixtures.js';

describe('assignConnection', () => {
  const mqttOut = manifestOf('mqtt-out')!;
  it('fills the one empty reference field of that type', () => {
    expect(assignConnection({ topic: 't' }, mqttOut, 'mqtt-broker', 'b1')).toEqual({ topic: 't', broker: 'b1' });
  });
  it('never overwrites a chosen connection, nor guesses between fields', () => {
    const set = { broker: 'other' };
    expect(assignConnection(set, mqttOut, 'mqtt-broker', 'b1')).toBe(set);
    const two = { ...mqttOut, connections: [{ pointer: '/a', type: 'x' }, { pointer: '/b', type: 'x' }] };
    const config = {};
    expect(assignConnection(config, two, 'x', 'c')).toBe(config);
    expect(assignConnection({}, { ...mqttOut, connections: [{ pointer: '/servers/*/conn', type: 'x' }] }, 'x', 'c')).toEqual({});
  });
  it('follows a nested pointer', () => {
    expect(assignConnection({ source: { topic: 'x' } }, { ...mqttOut, connections: [{ pointer: '/source/broker', type: 'mqtt-broker' }] }, 'mqtt-broker', 'b')).toEqual({ source: { topic: 'x', broker: 'b' } });
  });
});
