import { describe, expect, it } from 'vitest';
import { analyseCode, checkCode } from './analyse-code.js';

describe('analyseCode', () => {
  it('finds literal env names in any quote style', () => {
    const { envNames } = analyseCode('const a = env.get("LINE");\nconst b = env.get(\'SITE\') + env.get(`AREA`);\nenv.get(dynamic);');
    expect(envNames).toEqual(['AREA', 'LINE', 'SITE']);
  });

  it('names the context stores the code uses, across code and setup', () => {
    expect(analyseCode('return msg;').stores).toEqual({ node: false, flow: false, global: false });
    expect(analyseCode('context.get("a")', 'global.set("b", 1)').stores).toEqual({ node: true, flow: false, global: true });
  });

  it('ignores what appears only in comments, strings, templates and regular expressions', () => {
    const code = [
      '// flow.get("x") and env.get("A")',
      '/* global.set("y") */',
      'const s = "context.get(1) import(\'fs\')";',
      'const t = `env.get("B") ${msg.payload} import("x")`;',
      'const r = /flow"\\/import(/g;',
      'return msg;',
    ].join('\n');
    const result = analyseCode(code);
    expect(result.stores).toEqual({ node: false, flow: false, global: false });
    expect(result.envNames).toEqual([]);
    expect(result.imports).toEqual([]);
  });

  it('sees code inside template substitutions', () => {
    expect(analyseCode('return { payload: `${flow.get("a")}-${`${env.get("X")}`}` };')).toMatchObject({ stores: { flow: true }, envNames: ['X'] });
  });

  it('finds import() calls with their position', () => {
    expect(analyseCode('const x = 1;\n  return import("fs");').imports).toEqual([{ line: 2, column: 10 }]);
    expect(analyseCode('obj.import("x")').imports).toEqual([]);
  });
});

describe('checkCode', () => {
  it('accepts valid code, including a top-level return', () => {
    expect(checkCode('if (!msg) return null;\nreturn msg;', 'code')).toBeUndefined();
  });

  it('reports a syntax error with line and column', () => {
    expect(checkCode('const a = 1;\nconst b = = 2;', 'code')).toEqual({ message: "SyntaxError: Unexpected token '='", line: 2, column: 11 });
  });

  it('reports import()', () => {
    expect(checkCode('import("fs")', 'setup')).toMatchObject({ line: 1, column: 1, message: expect.stringContaining('import() is not available') });
  });
});
