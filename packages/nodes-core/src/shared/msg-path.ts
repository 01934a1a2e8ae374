import { NodeError } from '@plantwire/node-sdk';
import { copyWith } from './copy-with.js';

/** One step of a message path: a property name, or an array index from `[n]`. */
export type PathSegment = string | number;

/** A parsed message path, e.g. `['payload', 'tags', 3, 'value']`. Parse once at setup, reuse per message. */
export type MsgPath = readonly PathSegment[];

/** Names that would reach into prototypes; a message path never needs them. */
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const IDENT_STOP = /[.[\]'"\s]/;

const cache = new Map<string, MsgPath>();
const CACHE_LIMIT = 1000;

function bad(path: string, position: number, expected: string): NodeError {
  const found = position < path.length ? `"${path[position]}"` : 'the end';
  return new NodeError('CONFIG_INVALID', `invalid message path "${path}": expected ${expected} at position ${position}, found ${found}`, {
    details: { path, position },
  });
}

/**
 * Parse a message path written with dots and brackets: `payload`, `payload.temperature`,
 * `payload.tags[3].value`, `payload["name with spaces"]`. Paths are relative to the message
 * (no leading `msg.`). The result is frozen and cached, so parsing the same string twice is cheap.
 *
 * @throws NodeError `CONFIG_INVALID` naming the path and the position of the first bad character.
 * @example
 * parsePath('payload.tags[3].value'); // ['payload', 'tags', 3, 'value']
 */
export function parsePath(path: string): MsgPath {
  const cached = cache.get(path);
  if (cached) return cached;
  if (typeof path !== 'string' || path.length === 0) {
    throw new NodeError('CONFIG_INVALID', 'invalid message path: it is empty', { details: { path } });
  }
  const segments: PathSegment[] = [];
  let i = 0;
  let expectName = true; // at the start and after a dot a name must follow
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '[') {
      i++;
      const quote = path[i];
      if (quote === '"' || quote === "'") {
        let name = '';
        i++;
        while (i < path.length && path[i] !== quote) {
          if (path[i] === '\\' && i + 1 < path.length) i++;
          name += path[i];
          i++;
        }
        if (i >= path.length) throw bad(path, i, `a closing ${quote}`);
        i++;
        if (path[i] !== ']') throw bad(path, i, '"]"');
        segments.push(checkName(path, name, i));
      } else {
        const start = i;
        while (i < path.length && path[i]! >= '0' && path[i]! <= '9') i++;
        if (i === start) throw bad(path, i, 'an array index or a quoted name');
        if (path[i] !== ']') throw bad(path, i, '"]"');
        const index = Number(path.slice(start, i));
        if (!Number.isSafeInteger(index)) throw bad(path, start, 'a smaller array index');
        segments.push(index);
      }
      i++; // past ']'
      expectName = false;
      if (i < path.length && path[i] !== '.' && path[i] !== '[') throw bad(path, i, '".", "[" or the end');
    } else if (ch === '.') {
      if (expectName) throw bad(path, i, 'a property name');
      i++;
      expectName = true;
      if (i >= path.length) throw bad(path, i, 'a property name');
      if (path[i] === '[' || path[i] === '.') throw bad(path, i, 'a property name');
    } else {
      const start = i;
      while (i < path.length && !IDENT_STOP.test(path[i]!)) i++;
      if (i === start) throw bad(path, i, 'a property name');
      segments.push(checkName(path, path.slice(start, i), start));
      expectName = false;
      if (i < path.length && path[i] !== '.' && path[i] !== '[') throw bad(path, i, '".", "[" or the end');
    }
  }
  const result = Object.freeze(segments);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(path, result);
  return result;
}

function forbidden(path: string, name: string, position: number): NodeError {
  return new NodeError('CONFIG_INVALID', `invalid message path "${path}": property name "${name}" is not allowed (position ${position})`, {
    details: { path, position },
  });
}

function checkName(path: string, name: string, position: number): string {
  if (FORBIDDEN.has(name)) throw forbidden(path, name, position);
  return name;
}

/** Write a parsed path back as text: `['payload', 'tags', 3]` → `payload.tags[3]`. */
export function formatPath(path: MsgPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (seg.length > 0 && !IDENT_STOP.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const toPath = (path: string | MsgPath): MsgPath => (typeof path === 'string' ? parsePath(path) : path);

function ownValue(container: unknown, key: PathSegment): unknown {
  if (container === null || (typeof container !== 'object' && typeof container !== 'string')) return undefined;
  return Object.hasOwn(container as object, key) ? (container as Record<PathSegment, unknown>)[key] : undefined;
}

/**
 * Read the value at a path; `undefined` when any step is missing or not an object. Only own
 * properties are read (so `payload.constructor` is never a function from a prototype).
 *
 * @example
 * getPath({ payload: { tags: [{ value: 7 }] } }, 'payload.tags[0].value'); // 7
 */
export function getPath(obj: unknown, path: string | MsgPath): unknown {
  const segments = toPath(path);
  let current = obj;
  for (let i = 0; i < segments.length; i++) {
    current = ownValue(current, segments[i]!);
    if (current === undefined) return undefined;
  }
  return current;
}

/** Whether the path leads to an existing own property (whose value may be `undefined`). */
export function hasPath(obj: unknown, path: string | MsgPath): boolean {
  const segments = toPath(path);
  if (segments.length === 0) return false;
  const parent = segments.length === 1 ? obj : getPath(obj, segments.slice(0, -1));
  return parent !== null && (typeof parent === 'object' || typeof parent === 'string') && Object.hasOwn(parent as object, segments[segments.length - 1]!);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Date) return 'a Date';
  const t = typeof value;
  return t === 'object' ? `a ${(value as object).constructor?.name ?? 'object'}` : `a ${t}`;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** Index into an array: a number, or a string of digits (`payload.items.0`). */
function arrayIndex(seg: PathSegment): number | undefined {
  if (typeof seg === 'number') return seg;
  return /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : undefined;
}

function cannot(action: string, segments: MsgPath, depth: number, value: unknown): NodeError {
  const at = formatPath(segments.slice(0, depth)) || 'the message';
  return new NodeError('INPUT_INVALID', `cannot ${action} ${formatPath(segments)}: ${at} is ${describe(value)}, not an object or array`, {
    details: { path: formatPath(segments), at },
  });
}

function setAt(container: unknown, segments: MsgPath, depth: number, value: unknown): unknown {
  const seg = segments[depth]!;
  const last = depth === segments.length - 1;
  if (container === undefined || container === null) {
    // Missing containers are created: an array when the next step is an index, else an object.
    container = typeof seg === 'number' ? [] : {};
  }
  if (Array.isArray(container)) {
    const index = arrayIndex(seg);
    if (index === undefined) throw cannot('set', segments, depth, container);
    const child = last ? value : setAt(container[index], segments, depth + 1, value);
    const copy = container.slice();
    copy[index] = child;
    return copy;
  }
  if (isPlainObject(container)) {
    const key = String(seg);
    // A parsed path never holds these, but a hand-built one could; `copy['__proto__'] =` would set the prototype.
    if (FORBIDDEN.has(key)) throw forbidden(formatPath(segments), key, depth);
    const child = last ? value : setAt(container[key], segments, depth + 1, value);
    return copyWith(container, key, child);
  }
  throw cannot('set', segments, depth, container);
}

/**
 * Return a copy of `obj` with `value` at `path`, copying only the objects along the path (the
 * rest is shared). Missing containers are created (an array when the next step is `[n]`).
 *
 * @throws NodeError `INPUT_INVALID` when a step on the way is a number, string or other non-container.
 * @example
 * setPath(msg, 'payload.temperature', 21.5); // {...msg, payload: {...msg.payload, temperature: 21.5}}
 */
export function setPath<T>(obj: T, path: string | MsgPath, value: unknown): T {
  const segments = typeof path === 'string' ? parsePath(path) : path;
  if (segments.length === 1) {
    // The hot case (`payload`, `topic`): one shallow copy of the message, nothing else.
    const key = segments[0]!;
    if (typeof key === 'string' && !FORBIDDEN.has(key) && isPlainObject(obj)) return copyWith(obj, key, value) as T;
  }
  if (segments.length === 0) return value as T;
  return setAt(obj, segments, 0, value) as T;
}

function deleteAt(container: unknown, segments: MsgPath, depth: number): unknown {
  const seg = segments[depth]!;
  const last = depth === segments.length - 1;
  if (Array.isArray(container)) {
    const index = arrayIndex(seg);
    if (index === undefined || index >= container.length) return container;
    if (last) {
      const copy = container.slice();
      copy.splice(index, 1);
      return copy;
    }
    const child = deleteAt(container[index], segments, depth + 1);
    if (child === container[index]) return container;
    const copy = container.slice();
    copy[index] = child;
    return copy;
  }
  if (isPlainObject(container)) {
    const key = String(seg);
    if (!Object.hasOwn(container, key)) return container;
    if (last) {
      const { [key]: _removed, ...rest } = container;
      return rest;
    }
    const child = deleteAt(container[key], segments, depth + 1);
    if (child === container[key]) return container;
    return { ...container, [key]: child };
  }
  return container; // nothing to delete inside a primitive or a missing value
}

/**
 * Return a copy of `obj` without the property at `path`, copying only along the path. Deleting an
 * array element removes it (later elements move up). A missing path returns `obj` itself.
 *
 * @example
 * deletePath(msg, 'payload.tags[0]');
 */
export function deletePath<T>(obj: T, path: string | MsgPath): T {
  const segments = toPath(path);
  if (segments.length === 0) return obj;
  return deleteAt(obj, segments, 0) as T;
}
