import { expect, it } from 'vitest';
import { describeValue } from './describe-value.js';

it('describes values briefly for messages', () => {
  expect([undefined, null, [1], { a: 1 }, 'abc', 42, true].map(describeValue)).toEqual(['nothing', 'null', 'an array', 'an object', '"abc"', '42', 'true']);
  expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(40)}…"`);
});
