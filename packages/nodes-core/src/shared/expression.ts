import { NodeError, type ContextStore } from '@plantwire/node-sdk';
import { createRequire } from 'node:module';
import type jsonata from 'jsonata';
import * as z from 'zod';
import type { FieldMeta } from './msg-path-schema.js';

/** What an expression may read besides the message: `$env()`, `$flowContext()`, `$globalContext()`, as in Node-RED. */
export interface ExpressionScope {
  readonly env: (name: string) => string | undefined;
  readonly flow: ContextStore;
  readonly global: ContextStore;
}

/** A JSONata expression compiled once at setup. */
export interface CompiledExpression {
  readonly source: string;
  /** Evaluate against a message (the expression's input). Rejects with NodeError `EXPRESSION_FAILED`. */
  evaluate(input: unknown): Promise<unknown>;
}

interface JsonataError {
  readonly message: string;
  readonly position?: number;
  readonly code?: string;
  readonly token?: string;
}

const positionOf = (err: unknown): number | undefined => {
  const p = (err as JsonataError | null)?.position;
  return typeof p === 'number' ? p : undefined;
};

/**
 * Bounds on one evaluation. An expression runs on the runtime's thread, so a runaway one (an
 * endless recursion, a huge range) must end in an error, not stall every flow.
 */
export const EXPRESSION_LIMITS = { timeoutMs: 1000, maxSequence: 1_000_000 } as const;

let jsonataModule: typeof jsonata | undefined;

/**
 * JSONata, loaded the first time an expression is parsed: most flows have none, and loading it
 * costs ~2.5 MB of memory and a few ms of every start. Parsing must stay synchronous (a config's
 * expressions are checked while zod parses it), hence `require`, not `import()`. A bundle (the
 * CLI, the benchmark's driver) defines `require` and inlines the module behind this very call;
 * run from source as an ES module there is no `require`, and one made for this file loads it.
 */
function loadJsonata(): typeof jsonata {
  return (jsonataModule ??= (typeof require === 'function' ? require('jsonata') : createRequire(import.meta.url)('jsonata')) as typeof jsonata);
}

/** Parse a JSONata expression; throws the JSONata error (with `position`) when it does not parse. */
function parse(source: string): jsonata.Expression {
  return loadJsonata()(source, { timeout: EXPRESSION_LIMITS.timeoutMs, sequence: EXPRESSION_LIMITS.maxSequence });
}

/**
 * Compile a JSONata expression with Plantwire's functions bound. Config validation
 * ({@link expressionSchema}) has already reported syntax errors, so this only fails on a
 * document that skipped validation.
 */
export function compileExpression(source: string, scope: ExpressionScope): CompiledExpression {
  let expression: jsonata.Expression;
  try {
    expression = parse(source);
  } catch (err) {
    throw new NodeError('CONFIG_INVALID', `expression "${source}" does not parse: ${(err as Error).message}`, { cause: err, details: { expression: source, position: positionOf(err) } });
  }
  expression.registerFunction('env', (name: string) => scope.env(name), '<s:s>');
  expression.registerFunction('flowContext', (key: string) => scope.flow.get(key), '<s:x>');
  expression.registerFunction('globalContext', (key: string) => scope.global.get(key), '<s:x>');
  return {
    source,
    async evaluate(input) {
      try {
        return await expression.evaluate(input);
      } catch (err) {
        const position = positionOf(err);
        const where = position === undefined ? '' : ` at position ${position}`;
        throw new NodeError('EXPRESSION_FAILED', `expression "${source}" failed${where}: ${(err as Error).message ?? String(err)}`, {
          cause: err,
          details: { expression: source, position, jsonataCode: (err as JsonataError).code },
        });
      }
    },
  };
}

/**
 * A config field holding a JSONata expression, checked for syntax when the config is parsed so a
 * typo is a `CONFIG_INVALID` issue pointing at the field.
 */
export function expressionSchema(meta: FieldMeta) {
  return z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      try {
        parse(source);
      } catch (err) {
        const position = positionOf(err);
        ctx.addIssue({ code: 'custom', message: `invalid JSONata expression${position === undefined ? '' : ` at position ${position}`}: ${(err as Error).message}` });
      }
    })
    .meta({ ...meta, examples: [...(meta.examples ?? [])] });
}
