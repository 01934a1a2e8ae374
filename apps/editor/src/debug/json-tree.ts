/**
 * A value as a lazily expandable tree: a node knows its path, kind and size, and its children are
 * made only when it is expanded, a page at a time ("show more"), so opening a message with a
 * 100,000-element array costs one page, not the array.
 */
import { previewValue } from './value-preview.js';

/** Children made per "show more" step. */
export const CHILD_PAGE = 100;

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'undefined' | 'other';
export type PathSegment = string | number;

export interface JsonTreeNode {
  /** The key in its parent: an index in an array, a property name in an object; undefined for the root. */
  readonly key: PathSegment | undefined;
  /** From the root: `['payload', 'values', 3, 'quality']`. */
  readonly segments: readonly PathSegment[];
  /** `payload.values[3].quality`; empty for a root without a prefix. */
  readonly path: string;
  readonly value: unknown;
  readonly kind: JsonKind;
  /** Number of children (array length or own keys); 0 for leaves. */
  readonly childCount: number;
  /** One line: the value of a leaf, or `array[12]` / `{temperature, quality, …}` for containers. */
  readonly summary: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const SUMMARY_CHARS = 120;

/** Joins path segments the way a message path is written: `payload.values[3]["tag name"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function kindOf(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  if (type === 'object' || type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined') return type;
  return 'other';
}

function ownKeys(value: object): string[] {
  return Object.keys(value);
}

function summaryOf(value: unknown, kind: JsonKind, childCount: number): string {
  if (kind === 'array') return `array[${childCount}]`;
  if (kind === 'object') {
    const keys: string[] = [];
    let length = 0;
    for (const key in value as Record<string, unknown>) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      if (length + key.length > SUMMARY_CHARS) {
        keys.push('…');
        break;
      }
      keys.push(key);
      length += key.length + 2;
    }
    return `{${keys.join(', ')}}`;
  }
  return previewValue(value, SUMMARY_CHARS);
}

function makeNode(value: unknown, key: PathSegment | undefined, segments: readonly PathSegment[]): JsonTreeNode {
  const kind = kindOf(value);
  const childCount = kind === 'array' ? (value as unknown[]).length : kind === 'object' ? ownKeys(value as object).length : 0;
  return { key, segments, path: formatPath(segments), value, kind, childCount, summary: summaryOf(value, kind, childCount) };
}

/**
 * The root of a value's tree. `prefix` is where the value sits in its message, when known
 * (e.g. `['payload']`), so copied paths are message paths.
 */
export function jsonTreeRoot(value: unknown, prefix: readonly PathSegment[] = []): JsonTreeNode {
  return makeNode(value, prefix.at(-1), prefix);
}

/** The first `limit` children of a node, and how many more there are. */
export function jsonTreeChildren(node: JsonTreeNode, limit = CHILD_PAGE): { readonly children: readonly JsonTreeNode[]; readonly hidden: number } {
  const count = Math.min(node.childCount, Math.max(0, limit));
  const children: JsonTreeNode[] = [];
  if (node.kind === 'array') {
    const array = node.value as readonly unknown[];
    for (let i = 0; i < count; i++) children.push(makeNode(array[i], i, [...node.segments, i]));
  } else if (node.kind === 'object') {
    const record = node.value as Readonly<Record<string, unknown>>;
    const keys = ownKeys(record);
    for (let i = 0; i < count; i++) {
      const key = keys[i] as string;
      children.push(makeNode(record[key], key, [...node.segments, key]));
    }
  }
  return { children, hidden: node.childCount - count };
}

/** What "copy value" puts on the clipboard: strings as they are, everything else as indented JSON. */
export function copyValueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // Values from the socket are JSON already; this only guards odd values handed in by other code.
    return String(value);
  }
}
