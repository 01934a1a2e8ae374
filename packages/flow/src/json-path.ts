/** One step of a JSON path: a property name or an array index. */
export type JsonPathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Format path segments as the JSON path that issues carry: `$` for the root, `.name` for a
 * property that is a plain identifier, `["a-b"]` (a JSON string) for any other property, `[3]`
 * for an array index. Node ids often contain `-`, `.` or `:`, hence the bracket form.
 *
 * @example
 * formatJsonPath(['nodes', 3, 'config', 'rules', 0, 'value']) // '$.nodes[3].config.rules[0].value'
 * formatJsonPath(['layout', 'nodes', 'temp-1'])                // '$.layout.nodes["temp-1"]'
 */
export function formatJsonPath(segments: readonly JsonPathSegment[], root = '$'): string {
  let out = root;
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Split a JSON path written by {@link formatJsonPath} back into segments. Returns undefined for a
 * string that is not such a path, so a caller holding a path from elsewhere never throws.
 *
 * @example
 * parseJsonPath('$.nodes[3].config["a-b"]') // ['nodes', 3, 'config', 'a-b']
 */
export function parseJsonPath(path: string): JsonPathSegment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: JsonPathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(path.slice(i + 1));
      if (!match) return undefined;
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (c === '[') {
      const rest = path.slice(i + 1);
      const index = /^(\d+)\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        i += 1 + index[0].length;
        continue;
      }
      const quoted = /^("(?:[^"\\]|\\.)*")\]/.exec(rest);
      if (!quoted) return undefined;
      try {
        segments.push(JSON.parse(quoted[1]!) as string);
      } catch {
        return undefined; // a malformed escape inside the brackets: not one of our paths
      }
      i += 1 + quoted[0].length;
    } else {
      return undefined;
    }
  }
  return segments;
}
