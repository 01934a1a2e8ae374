import type { AnyNodeType } from '@plantwire/node-sdk';
import { batch } from './batch/batch.node.js';
import { catchNode } from './catch/catch.node.js';
import { change } from './change/change.node.js';
import { complete } from './complete/complete.node.js';
import { csv } from './csv/csv.node.js';
import { debug } from './debug/debug.node.js';
import { delay } from './delay/delay.node.js';
import { filter } from './filter/filter.node.js';
import { functionNode } from './function/function.node.js';
import { inject } from './inject/inject.node.js';
import { join } from './join/join.node.js';
import { json } from './json/json.node.js';
import { linkIn } from './link/link-in.node.js';
import { linkOut } from './link/link-out.node.js';
import { range } from './range/range.node.js';
import { rateLimit } from './rate-limit/rate-limit.node.js';
import { split } from './split/split.node.js';
import { statusNode } from './status/status.node.js';
import { switchNode } from './switch/switch.node.js';
import { template } from './template/template.node.js';

export {
  batch, catchNode, change, complete, csv, debug, delay, filter, functionNode, inject, join, json,
  linkIn, linkOut, range, rateLimit, split, statusNode, switchNode, template,
};

/** Every core node type, for handing to a runtime, the CLI, the docs generator. */
export const coreNodes: readonly AnyNodeType[] = [
  inject, debug, change, switchNode, functionNode, template, json, csv, range, filter,
  delay, rateLimit, split, join, batch, catchNode, statusNode, complete, linkIn, linkOut,
];
