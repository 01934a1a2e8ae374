import type { JsonPathSegment } from './json-path.js';

/** A `${NAME}` reference with no value, and where it was found (relative to the value given). */
export interface MissingEnvVar {
  readonly path: JsonPathSegment[];
  readonly name: string;
}

/** What {@link substituteEnv} returns. */
export interface SubstituteEnvResult<T = unknown> {
  readonly value: T;
  readonly missing: MissingEnvVar[];
}

// `$${NAME}` (group 1 set) is the escape for a literal `${NAME}`.
const REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Replace `${NAME}` references in every string inside `value` (objects and arrays are walked;
 * property names are left alone), so one flow deploys to many edge boxes.
 *
 * Rules:
 * - `${NAME}` anywhere in a string is replaced by `lookup(NAME)`; names are letters, digits and
 *   `_`, not starting with a digit. Anything else (`${}`, `${a-b}`, a lone `$`) is plain text.
 * - `$${NAME}` is an escape and becomes the literal text `${NAME}`.
 * - A string that is exactly one `${NAME}` whose value is a JSON number (`1883`, `-2.5e3`) or
 *   `true`/`false` becomes that number or boolean, so `"port": "${MQTT_PORT}"` passes a schema that
 *   wants a number. Any other value, or a reference with text around it, stays a string.
 * - Values are inserted as they are: a value containing `${OTHER}` is not substituted again.
 * - An undefined variable is reported in `missing` (with its path inside `value`) and its
 *   reference is left in the string unchanged.
 *
 * The input is never mutated; parts with nothing to substitute are shared, not copied.
 *
 * @example
 * substituteEnv({ url: 'mqtt://${HOST}:1883', port: '${PORT}', note: '$${HOST}' }, (n) => ({ HOST: 'plc-7', PORT: '502' })[n])
 * // value: { url: 'mqtt://plc-7:1883', port: 502, note: '${HOST}' }, missing: []
 */
export function substituteEnv<T = unknown>(value: T, lookup: (name: string) => string | undefined): SubstituteEnvResult<T> {
  const missing: MissingEnvVar[] = [];
  // A string or a number needs no walk (and no path).
  if (typeof value !== 'object' || value === null) {
    return { value: (typeof value === 'string' ? substituteString(value, lookup, PATH, PATH.length, missing) : value) as T, missing };
  }
  // The walk pushes and pops on the shared PATH above `base`; `lookup` may even substitute again
  // (it starts above this walk's part) and a throw leaves PATH as it found it.
  const base = PATH.length;
  try {
    return { value: walk(value, lookup, base, missing) as T, missing };
  } finally {
    PATH.length = base;
  }
}

/**
 * The path of the value being walked: one stack for every walk, copied only when a missing
 * variable is recorded. Configs are walked for every node on every validation: fresh arrays per
 * value showed up in profiles, and then a path array per walk (grown to 17 slots at its first
 * push) was ~0.7 MB of a cold 5,000-node deploy.
 */
const PATH: JsonPathSegment[] = [];

function walk(value: unknown, lookup: (name: string) => string | undefined, base: number, missing: MissingEnvVar[]): unknown {
  const path = PATH;
  if (typeof value === 'string') return substituteString(value, lookup, path, base, missing);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      // Numbers, booleans, null and strings without `${`: nothing to substitute, so no call and no
      // path step for them (configs are walked cold on every deploy; about half the calls on
      // typical configs).
      if (typeof item === 'string' ? !item.includes('${') : typeof item !== 'object' || item === null) continue;
      path.push(i);
      const next = walk(item, lookup, base, missing);
      path.pop();
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'string' ? !item.includes('${') : typeof item !== 'object' || item === null) continue;
      path.push(key);
      const next = walk(item, lookup, base, missing);
      path.pop();
      if (next !== item) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[key] = next;
      }
    }
    return copy ?? value;
  }
  return value;
}

/** `path.slice(base)` is where `text` is, relative to the value given to {@link substituteEnv}. */
function substituteString(text: string, lookup: (name: string) => string | undefined, path: JsonPathSegment[], base: number, missing: MissingEnvVar[]): unknown {
  if (!text.includes('${')) return text;
  const whole = WHOLE_REFERENCE.exec(text);
  if (whole) {
    const name = whole[1]!;
    const found = lookup(name);
    if (found === undefined) {
      missing.push({ path: path.slice(base), name });
      return text;
    }
    if (JSON_NUMBER.test(found)) return Number(found);
    if (found === 'true') return true;
    if (found === 'false') return false;
    return found;
  }
  return text.replace(REFERENCE, (reference, escaped: string | undefined, name: string) => {
    if (escaped) return reference.slice(1);
    const found = lookup(name);
    if (found === undefined) {
      missing.push({ path: path.slice(base), name });
      return reference;
    }
    return found;
  });
}
