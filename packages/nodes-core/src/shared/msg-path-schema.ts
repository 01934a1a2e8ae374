import * as z from 'zod';
import { parsePath } from './msg-path.js';

/** Editor and docs text of a message-path field. */
export interface FieldMeta {
  readonly title: string;
  readonly description: string;
  readonly examples?: readonly string[];
}

/**
 * A config field holding a message path (`payload.temperature`, `payload.tags[3].value`),
 * checked with {@link parsePath} when the config is parsed, so a bad path is a `CONFIG_INVALID`
 * issue pointing at the field rather than a failure at the first message.
 *
 * @param options.wholeMessage also accept the word `msg`, meaning the whole message.
 * @example
 * z.strictObject({ property: msgPathSchema({ title: 'Property', description: '…' }).default('payload') })
 */
export function msgPathSchema(meta: FieldMeta, options: { readonly wholeMessage?: boolean } = {}) {
  return z
    .string()
    .superRefine((value, ctx) => {
      if (options.wholeMessage && value === 'msg') return;
      try {
        parsePath(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    // `msgPath: true` tells the editor to offer the path picker (it would otherwise guess from the examples).
    .meta({ ...meta, examples: [...(meta.examples ?? ['payload'])], msgPath: true });
}
