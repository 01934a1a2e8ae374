import { expect, it } from 'vitest';
import { lineIndex, positionAt } from './text-position.js';

it('counts 1-based lines and columns across \\n, \\r\\n and \\r', () => {
  const text = 'ab\ncd\r\nef\rgh';
  const at = lineIndex(text);
  expect([0, 1, 2, 3, 6, 7, 10, 11, 99, -5].map(at)).toEqual([
    { line: 1, column: 1 },
    { line: 1, column: 2 },
    { line: 1, column: 3 },
    { line: 2, column: 1 },
    { line: 2, column: 4 },
    { line: 3, column: 1 },
    { line: 4, column: 1 },
    { line: 4, column: 2 },
    { line: 4, column: 3 },
    { line: 1, column: 1 },
  ]);
  expect(positionAt('x\n\ny', 3)).toEqual({ line: 3, column: 1 });
});
