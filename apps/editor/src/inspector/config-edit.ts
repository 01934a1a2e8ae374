/**
 * Immutable edits of a config value by path: what every form control calls. Unchanged parts are
 * shared, never copied, so the shell's history and React's memoisation see real changes only.
 */
import { fits, isPlainObject, variantIndexOf, type Field, type FieldPath, type UnionField } from './schema-fields.js';

type Container = Record<string, unknown> | unknown[];

/** The value at `path`, or undefined when any step is missing. */
export function getAt(value: unknown, path: FieldPath): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function copyOf(container: unknown, nextSegment: string | number): Container {
  if (Array.isArray(container)) return container.slice();
  if (isPlainObject(container)) return { ...container };
  return typeof nextSegment === 'number' ? [] : {};
}

/**
 * `root` with `value` at `path`; missing objects (or arrays, for a numeric segment) on the way are
 * created. `value` undefined deletes the key (an optional field cleared in the form).
 *
 * @example
 * setAt({ rules: [{ op: 'set' }] }, ['rules', 0, 'path'], 'payload') // { rules: [{ op: 'set', path: 'payload' }] }
 */
export function setAt<T>(root: T, path: FieldPath, value: unknown): T {
  if (path.length === 0) return value as T;
  if (value === undefined) return deleteAt(root, path);
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const current = getAt(root, [head]);
  const next = setAt(current, rest, value);
  if (Object.is(next, current) && current !== undefined) return root;
  const copy = copyOf(root, head);
  (copy as Record<string | number, unknown>)[head] = next;
  return copy as T;
}

/** `root` without the key (or array item, later ones move up) at `path`; unchanged when it is not there. */
export function deleteAt<T>(root: T, path: FieldPath): T {
  if (path.length === 0) return undefined as T;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  if (rest.length > 0) {
    const current = getAt(root, [head]);
    if (current === undefined) return root;
    const next = deleteAt(current, rest);
    if (next === current) return root;
    const copy = copyOf(root, head);
    (copy as Record<string | number, unknown>)[head] = next;
    return copy as T;
  }
  if (Array.isArray(root) && typeof head === 'number') {
    if (head < 0 || head >= root.length) return root;
    return [...root.slice(0, head), ...root.slice(head + 1)] as T;
  }
  if (isPlainObject(root) && Object.hasOwn(root, String(head))) {
    const { [String(head)]: _removed, ...rest2 } = root;
    return rest2 as T;
  }
  return root;
}

/** Insert `item` into the list at `listPath` before `index` (at the end when index is past it); a missing list is created. */
export function insertItem<T>(root: T, listPath: FieldPath, index: number, item: unknown): T {
  const list = getAt(root, listPath);
  const items = Array.isArray(list) ? list : [];
  const at = Math.max(0, Math.min(index, items.length));
  return setAt(root, listPath, [...items.slice(0, at), item, ...items.slice(at)]);
}

/** Remove item `index` of the list at `listPath`. */
export function removeItem<T>(root: T, listPath: FieldPath, index: number): T {
  return deleteAt(root, [...listPath, index]);
}

/** Move item `from` of the list at `listPath` to position `to`; out-of-range moves change nothing. */
export function moveItem<T>(root: T, listPath: FieldPath, from: number, to: number): T {
  const list = getAt(root, listPath);
  if (!Array.isArray(list) || from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return root;
  const items = list.slice();
  const [moved] = items.splice(from, 1);
  items.splice(to, 0, moved);
  return setAt(root, listPath, items);
}

/** A deep copy of a JSON value (defaults from a schema must never be shared with a config). */
const cloneJson = <V>(value: V): V => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as V));

/**
 * What a new value of `field` starts as: its default, else the least that the schema asks for
 * (required fields of an object, the first variant of a union, `minItems` items of a list).
 * Optional fields without a default stay out of new objects.
 */
export function initialValue(field: Field): unknown {
  if (field.hasDefault) return cloneJson(field.default);
  switch (field.kind) {
    case 'text':
    case 'code':
    case 'msgPath':
    case 'topic':
    case 'connectionRef':
      return '';
    case 'number':
    case 'integer':
      return field.minimum ?? (field.exclusiveMinimum !== undefined ? field.exclusiveMinimum + 1 : 0);
    case 'boolean':
      return false;
    case 'enum':
      return field.options[0];
    case 'const':
      return field.value;
    case 'list':
      return Array.from({ length: field.minItems ?? 0 }, () => initialValue(field.item));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const { key, field: sub } of field.fields) if (sub.required) out[key] = initialValue(sub);
      return out;
    }
    case 'record':
      return {};
    case 'union':
      return variantValue(field, 0, undefined);
    case 'json':
      return field.types.includes('null') ? null : field.types.includes('string') ? '' : field.types.includes('number') ? 0 : null;
  }
}

function variantValue(union: UnionField, index: number, previous: unknown): unknown {
  const variant = union.variants[index];
  if (!variant) return previous;
  if (union.discriminator === undefined) return fits(variant.field, previous) ? previous : initialValue(variant.field);
  const fresh = initialValue(variant.field) as Record<string, unknown>;
  const out: Record<string, unknown> = { [union.discriminator]: variant.tag };
  if (variant.field.kind !== 'object') return out;
  const old = isPlainObject(previous) ? previous : {};
  for (const { key, field } of variant.field.fields) {
    // Shared fields keep what the user typed when it still fits (a rule's path survives set → move).
    if (key in old && fits(field, old[key])) out[key] = old[key];
    else if (key in fresh) out[key] = fresh[key];
  }
  return out;
}

/**
 * Switch a union value to variant `index`: the discriminator set, the fields both variants have
 * kept (when their value still fits), the new variant's required fields filled in, the rest dropped.
 *
 * @example
 * switchVariant(ruleUnion, { op: 'set', path: 'payload', value: 1 }, moveIndex) // { op: 'move', path: 'payload', to: '' }
 */
export function switchVariant(union: UnionField, value: unknown, index: number): unknown {
  if (variantIndexOf(union, value) === index) return value;
  return variantValue(union, index, value);
}
