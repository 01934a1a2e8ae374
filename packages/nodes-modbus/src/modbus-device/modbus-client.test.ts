import { describe, expect, it } from 'vitest';
import { describeException, ModbusRequestError } from './modbus-client.js';

describe('Modbus exception meanings', () => {
  it.each([
    [1, 'exception 01 (illegal function)'],
    [2, 'exception 02 (illegal data address)'],
    [3, 'exception 03 (illegal data value)'],
    [4, 'exception 04 (server device failure)'],
    [6, 'exception 06 (server device busy)'],
    [10, 'exception 0A (gateway path unavailable)'],
    [11, 'exception 0B (gateway target device failed to respond)'],
    [42, 'exception 2A (unknown exception)'],
  ])('%i → %s', (code, text) => expect(describeException(code)).toBe(text));

  it('a timeout or a gateway that cannot reach the unit counts as the unit not answering; other exceptions do not', () => {
    const ex = (code: number) => new ModbusRequestError('exception', describeException(code), 'x', { exceptionCode: code });
    expect(new ModbusRequestError('timeout', 't', 't').unitUnresponsive).toBe(true);
    expect(ex(10).unitUnresponsive).toBe(true);
    expect(ex(11).unitUnresponsive).toBe(true);
    expect(ex(2).unitUnresponsive).toBe(false);
    expect(ex(6).unitUnresponsive).toBe(false);
    expect(new ModbusRequestError('not-connected', 'n', 'n').unitUnresponsive).toBe(false);
  });
});
