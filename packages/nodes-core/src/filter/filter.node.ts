import { defineNode, NodeError, type Message, type TagValue } from '@plantwire/node-sdk';
import * as z from 'zod';
import { getPath, parsePath, type MsgPath } from '../shared/msg-path.js';
import { msgPathSchema } from '../shared/msg-path-schema.js';
import { deepEqual } from './deep-equal.js';

const filterConfig = z
  .strictObject({
    mode: z.enum(['rbe', 'deadband', 'narrowband']).default('rbe').meta({
      title: 'Mode',
      description:
        'rbe (report by exception): pass a message only when its value differs from the reference. deadband: pass only when the value moved by at least Band from the reference (numbers). narrowband: pass only when the value is within Band of the reference, blocking spikes (numbers).',
      examples: ['rbe', 'deadband'],
    }),
    band: z.number().min(0).default(0).meta({
      title: 'Band',
      description: 'Deadband and narrowband: the change that counts, in the value\'s units or in percent of the reference (see Band unit). Must be more than 0 in those modes.',
      examples: [0.5, 2],
    }),
    bandUnit: z.enum(['absolute', 'percent']).default('absolute').meta({
      title: 'Band unit',
      description: 'absolute: Band is in the value\'s own units; percent: Band is a percentage of the reference value.',
      examples: ['percent'],
    }),
    property: msgPathSchema({
      title: 'Property',
      description:
        'The message property to compare. A tag value `{value, quality, sourceTime}` is compared by its `value`, and a change of its `quality` always passes.',
      examples: ['payload', 'payload.temperature'],
    }).default('payload'),
    compareTo: z.enum(['last-sent', 'last-input']).default('last-sent').meta({
      title: 'Compare with',
      description:
        'last-sent: the value of the last message that passed, so slow drift is still reported once it adds up to Band; last-input: the value of the previous message, passed or not.',
      examples: ['last-input'],
    }),
    startup: z.enum(['pass-first', 'block-first']).default('pass-first').meta({
      title: 'First message',
      description: 'pass-first: the first message (of each topic) passes and becomes the reference; block-first: it only becomes the reference.',
      examples: ['block-first'],
    }),
    separateTopics: z.boolean().default(true).meta({
      title: 'Separate topics',
      description: 'Keep a reference value per topic (see Topic property), so values of different tags are never compared with each other.',
      examples: [false],
    }),
    topicProperty: msgPathSchema({
      title: 'Topic property',
      description: 'With separate topics: the message property that names the topic.',
      examples: ['topic', 'payload.tag'],
    }).default('topic'),
    maxTopics: z.int().min(1).max(1_000_000).default(10000).meta({
      title: 'Max topics',
      description: 'How many topics\' reference values are kept; beyond it the least recently seen topic is forgotten (its next message counts as its first).',
      examples: [10000],
    }),
  })
  .superRefine((config, ctx) => {
    if (config.mode !== 'rbe' && !(config.band > 0)) {
      ctx.addIssue({ code: 'custom', path: ['band'], message: `band must be more than 0 in ${config.mode} mode` });
    }
  })
  .meta({ title: 'Filter', description: 'Which changes of a value pass.' });

type FilterConfig = z.output<typeof filterConfig>;

/** The reference a new value is compared with, per topic. */
interface Reference {
  readonly value: unknown;
  /** The tag quality, when the property holds a TagValue. */
  readonly quality: TagValue['quality'] | undefined;
}

interface FilterState {
  readonly property: MsgPath;
  readonly topicProperty: MsgPath;
  /** Topic → reference; Map order is least recently used first. */
  readonly references: Map<string, Reference>;
}

const QUALITIES = new Set(['good', 'uncertain', 'bad']);

function isTagValue(value: unknown): value is TagValue {
  return typeof value === 'object' && value !== null && 'value' in value && QUALITIES.has((value as { quality?: unknown }).quality as string);
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function topicKey(msg: Message, state: FilterState, config: FilterConfig): string {
  if (!config.separateTopics) return '';
  const topic = getPath(msg, state.topicProperty);
  return typeof topic === 'string' || typeof topic === 'number' ? String(topic) : '';
}

/** Whether a numeric value passes deadband or narrowband against the reference. */
function passesBand(value: unknown, reference: unknown, config: FilterConfig): boolean {
  const current = toNumber(value);
  const previous = toNumber(reference);
  // A non-number here is a bad/uncertain tag's placeholder (checked in onInput): any change counts.
  if (current === undefined || previous === undefined) return !deepEqual(value, reference);
  const change = Math.abs(current - previous);
  const band = config.bandUnit === 'percent' ? (Math.abs(previous) * config.band) / 100 : config.band;
  // A percent band of a zero reference is zero; equal values must still not count as a change.
  return config.mode === 'deadband' ? change > 0 && change >= band : change <= band;
}

/**
 * Filter: report by exception and deadband, like Node-RED's filter (rbe) node, aware of tag
 * values: a value passes when it changed (or moved by at least a band, or stayed within a band),
 * per topic, and a change of quality always passes.
 */
export const filter = defineNode({
  type: 'filter',
  version: 1,
  category: 'transform',
  icon: 'filter',
  summary: 'Pass a value only when it changed: report by exception, deadband or narrowband.',
  description: [
    'Compares a property of each message (by default `payload`) with a reference value kept per topic,',
    'and passes the message unchanged or drops it:',
    '',
    '- **rbe**: passes when the value differs (objects and arrays are compared by content).',
    '- **deadband**: passes when a number moved by at least **Band** (absolute or percent).',
    '- **narrowband**: passes when a number stayed within **Band**; blocks spikes.',
    '',
    'A tag value `{value, quality, sourceTime}` is compared by its `value`, and a change of `quality`',
    'always passes, so a sensor going bad (and coming back) is never filtered away. In the band modes a',
    'value that is not a number raises INPUT_INVALID, except for a tag whose quality is not good, which',
    'is compared by content. Numeric strings count as numbers.',
    '',
    'A message with `msg.reset` set forgets the reference of its topic (all topics when it has none)',
    'and is not sent on.',
  ].join('\n'),
  inputs: { in: 'Messages to filter; `msg.reset` forgets the reference.' },
  outputs: { out: 'The messages that passed, unchanged.' },
  config: filterConfig,
  setup(ctx): FilterState {
    return {
      property: parsePath(ctx.config.property),
      topicProperty: parsePath(ctx.config.topicProperty),
      references: new Map(),
    };
  },
  onInput(msg, { config }, state) {
    const key = topicKey(msg, state, config);
    if (msg['reset'] !== undefined) {
      if (key === '') state.references.clear();
      else state.references.delete(key);
      return;
    }
    const raw = getPath(msg, state.property);
    const tag = isTagValue(raw) ? raw : undefined;
    const value = tag ? tag.value : raw;
    const quality = tag?.quality;
    if (config.mode !== 'rbe' && toNumber(value) === undefined && (quality === undefined || quality === 'good')) {
      throw new NodeError('INPUT_INVALID', `filter in ${config.mode} mode needs a number at ${config.property}${tag ? '.value' : ''}`, {
        details: { property: config.property, value },
      });
    }

    const reference = state.references.get(key);
    let pass: boolean;
    if (reference === undefined) pass = config.startup === 'pass-first';
    else if (reference.quality !== quality) pass = true;
    else if (config.mode === 'rbe') pass = !deepEqual(value, reference.value);
    else pass = passesBand(value, reference.value, config);

    if (reference === undefined || pass || config.compareTo === 'last-input') {
      state.references.delete(key); // re-insert: most recently used last
      state.references.set(key, { value, quality });
      if (state.references.size > config.maxTopics) {
        const oldest = state.references.keys().next();
        if (!oldest.done) state.references.delete(oldest.value);
      }
    } else {
      state.references.delete(key);
      state.references.set(key, reference);
    }
    return pass ? msg : undefined;
  },
});
