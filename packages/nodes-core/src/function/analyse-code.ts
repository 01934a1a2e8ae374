import { compileFunction, createContext, runInContext } from 'node:vm';

/** Where in the user's code something is, 1-based, as the editor shows it. */
export interface CodePosition {
  readonly line: number;
  readonly column: number;
}

/** What the function node learns from user code before running it. */
export interface CodeAnalysis {
  /** Names read with a literal `env.get('NAME')`; only these are resolved and shipped to the sandbox. */
  readonly envNames: readonly string[];
  /** Which context stores the code names; only those are mirrored into the sandbox. */
  readonly stores: { readonly node: boolean; readonly flow: boolean; readonly global: boolean };
  /** Positions of `import(...)` calls, which a function node cannot make. */
  readonly imports: readonly CodePosition[];
  /**
   * The code names promises or async APIs (await, async, then, Promise, fetch, fs), so promise
   * reactions may be pending after it returns: the sandbox drains them after each run.
   */
  readonly asyncHints: boolean;
}

const ASYNC_HINTS = ['await', 'async', 'then', 'Promise', 'fetch', 'fs'];

/** A problem found in user code before it runs: a syntax error or a forbidden construct. */
export interface CodeProblem extends CodePosition {
  readonly message: string;
}

/** Names the function body is compiled with: `msg` for the per-message code, none for setup. */
export const CODE_PARAMS = { code: ['msg'], setup: [] } as const;

/**
 * Compile (never run) a function body to find syntax errors, and reject `import()`, which could
 * never resolve inside the sandbox. Returns the problem with its line and column, or undefined.
 */
export function checkCode(body: string, kind: keyof typeof CODE_PARAMS): CodeProblem | undefined {
  try {
    // Compiling in the main realm is safe: nothing of the body executes.
    compileFunction(body, [...CODE_PARAMS[kind]], { filename: `function-${kind}` });
  } catch (err) {
    // Code that uses await is an async function body (compiled so in the sandbox, as here).
    const asyncProblem = asyncBodyProblem(body, kind);
    if (asyncProblem === undefined) return importProblem(body);
    return err instanceof Error && /await/.test(err.message) ? asyncProblem : syntaxProblem(err);
  }
  return importProblem(body);
}

let checkContext: object | undefined;

/**
 * Why `body` does not compile as an async function body, or undefined when it does. The sandbox
 * compiles it inside `async function (params) {\n … \n}`, whose line numbers this shares; the
 * AsyncFunction constructor (of a context that allows it even when the process does not) parses
 * the body on its own, which refuses a body that would close that wrapper early.
 */
function asyncBodyProblem(body: string, kind: keyof typeof CODE_PARAMS): CodeProblem | undefined {
  const params = [...CODE_PARAMS[kind]];
  try {
    compileFunction(`return async function (${params.join(', ')}) {\n${body}\n}`, [], { filename: `function-${kind}`, lineOffset: -1 });
  } catch (err) {
    return syntaxProblem(err);
  }
  try {
    checkContext ??= createContext({}, { codeGeneration: { strings: true, wasm: false } });
    const AsyncFunction = runInContext('(async function () {}).constructor', checkContext) as new (...args: string[]) => unknown;
    new AsyncFunction(...params, body);
  } catch (err) {
    return { message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), line: 0, column: 0 };
  }
  return undefined;
}

function importProblem(body: string): CodeProblem | undefined {
  const [first] = analyseCode(body).imports;
  if (first) {
    return { ...first, message: 'import() is not available in a function node: it has no module loader, file system or network' };
  }
  return undefined;
}

function syntaxProblem(err: unknown): CodeProblem {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  // V8 puts "<file>:<line>\n<source line>\n<caret>" at the top of a SyntaxError's stack.
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack.split('\n') : [];
  const line = Number(/:(\d+)$/.exec(stack[0] ?? '')?.[1] ?? 0);
  const caret = stack[2]?.indexOf('^') ?? -1;
  return { message, line, column: caret >= 0 ? caret + 1 : 0 };
}

/**
 * Scan user code (a light tokenizer: strings, template literals, comments and regular expression
 * literals are skipped) for the facts the sandbox needs up front.
 */
export function analyseCode(...bodies: readonly string[]): CodeAnalysis {
  const envNames = new Set<string>();
  const idents = new Set<string>();
  const imports: CodePosition[] = [];
  for (const body of bodies) {
    const tokens = tokenize(body);
    tokens.forEach((t, i) => {
      if (t.type !== 'ident') return;
      idents.add(t.value);
      const next = tokens[i + 1];
      const prev = tokens[i - 1];
      if (t.value === 'import' && next?.value === '(' && prev?.value !== '.') imports.push({ line: t.line, column: t.column });
      if (t.value === 'env' && next?.value === '.' && tokens[i + 2]?.value === 'get' && tokens[i + 3]?.value === '(') {
        const arg = tokens[i + 4];
        if (arg?.type === 'string' && tokens[i + 5]?.value === ')') envNames.add(arg.value);
      }
    });
  }
  return {
    envNames: [...envNames].sort(),
    stores: { node: idents.has('context'), flow: idents.has('flow'), global: idents.has('global') },
    imports,
    asyncHints: ASYNC_HINTS.some((name) => idents.has(name)),
  };
}

interface Token {
  readonly type: 'ident' | 'string' | 'number' | 'punct' | 'regex' | 'template';
  readonly value: string;
  readonly line: number;
  readonly column: number;
}

const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/** Tokens of JavaScript source, good enough to find identifiers and literal strings outside comments and strings. */
function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  // Brace depths at which an open template literal's `${` began; a `}` at that depth resumes the template.
  const templateDepths: number[] = [];
  let depth = 0;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (type: Token['type'], value: string, start: number, startLine: number, startLineStart: number) =>
    tokens.push({ type, value, line: startLine, column: start - startLineStart + 1 });
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };
  /** Reads template characters from `i` to the closing backtick or a `${`. */
  const readTemplate = (start: number, startLine: number, startLineStart: number, head: boolean) => {
    let text = '';
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\') { text += src[i + 1] ?? ''; i += 2; continue; }
      // A whole template without substitutions is a string literal (env.get(`NAME`)).
      if (c === '`') { i++; push(head ? 'string' : 'template', text, start, startLine, startLineStart); return; }
      if (c === '$' && src[i + 1] === '{') { i += 2; templateDepths.push(depth); depth++; push('template', '\0', start, startLine, startLineStart); return; }
      if (c === '\n') newline(i);
      text += c;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    const start = i;
    const startLine = line;
    const startLineStart = lineStart;
    if (c === '\n') { newline(i); i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) { if (src[i] === '\n') newline(i); i++; }
      i += 2;
      continue;
    }
    if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < src.length && src[i] !== c && src[i] !== '\n') {
        if (src[i] === '\\') { text += src[i + 1] ?? ''; i += 2; } else { text += src[i]; i++; }
      }
      i++;
      push('string', text, start, startLine, startLineStart);
      continue;
    }
    if (c === '`') { i++; readTemplate(start, startLine, startLineStart, true); continue; }
    if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(src[i]!)) i++;
      push('ident', src.slice(start, i), start, startLine, startLineStart);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      while (i < src.length && /[0-9A-Za-z_.]/.test(src[i]!)) i++;
      push('number', src.slice(start, i), start, startLine, startLineStart);
      continue;
    }
    if (c === '/') {
      const prev = tokens[tokens.length - 1];
      const regexAllowed = !prev || (prev.type === 'punct' && prev.value !== ')' && prev.value !== ']') || (prev.type === 'ident' && KEYWORDS_BEFORE_EXPRESSION.has(prev.value));
      if (regexAllowed) {
        i++;
        let inClass = false;
        while (i < src.length && src[i] !== '\n') {
          const r = src[i]!;
          if (r === '\\') { i += 2; continue; }
          if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
          i++;
        }
        i++;
        while (i < src.length && /[a-z]/.test(src[i]!)) i++;
        push('regex', src.slice(start, i), start, startLine, startLineStart);
        continue;
      }
    }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === depth) {
        templateDepths.pop();
        i++;
        readTemplate(start, startLine, startLineStart, false);
        continue;
      }
    }
    i++;
    push('punct', c, start, startLine, startLineStart);
  }
  return tokens;
}
