/**
 * MQTT topic names and filters (MQTT 3.1.1 §4.7, MQTT 5 §4.7–4.8): validation with a reason a
 * person can act on, and the matching rule a client needs to route one connection's messages to
 * the nodes whose filter they match.
 */

/** A parsed subscription filter: the filter the broker matches, and the shared-subscription group if any. */
export interface ParsedFilter {
  /** The filter without any `$share/<group>/` prefix: what a received topic is matched against. */
  readonly filter: string;
  /** The group of a shared subscription (`$share/<group>/<filter>`), else undefined. */
  readonly shareGroup: string | undefined;
}

/**
 * Why `filter` is not a valid subscription filter, or undefined when it is. Accepts `+` (one whole
 * level), `#` (the whole last level) and `$share/<group>/<filter>` (MQTT 5 shared subscriptions;
 * the group may not be empty nor hold `/`, `+` or `#`).
 *
 * @example
 * topicFilterProblem('plant/+/temp') // undefined
 * topicFilterProblem('plant/#/temp') // '"#" must be the last level …'
 */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.startsWith('$share/') || filter === '$share') {
    const rest = filter.slice('$share/'.length);
    const slash = rest.indexOf('/');
    if (filter === '$share' || slash < 0) return 'a shared subscription is "$share/<group>/<filter>"; the group or the filter is missing';
    const group = rest.slice(0, slash);
    if (group === '') return 'the group of a shared subscription ("$share/<group>/<filter>") is empty';
    if (/[+#]/.test(group)) return `the group "${group}" of a shared subscription may not contain "+" or "#"`;
    const inner = rest.slice(slash + 1);
    if (inner === '') return 'a shared subscription ("$share/<group>/<filter>") needs a filter after the group';
    const problem = topicFilterProblem(inner);
    return problem === undefined ? undefined : `in shared subscription "${filter}": ${problem}`;
  }
  const common = commonProblem(filter, 'filter');
  if (common) return common;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return `"#" must be the last level on its own (as in "a/b/#"), not "${level}" at level ${i + 1}`;
    }
    if (level.includes('+') && level !== '+') return `"+" must be a whole level on its own (as in "a/+/c"), not "${level}" at level ${i + 1}`;
  }
  return undefined;
}

/**
 * Why `topic` is not a valid topic name to publish to, or undefined when it is (no wildcards,
 * not empty, not `$share/…`, not `$SYS/…`).
 */
export function topicNameProblem(topic: string): string | undefined {
  const common = commonProblem(topic, 'topic');
  if (common) return common;
  if (/[+#]/.test(topic)) return `a topic to publish to may not contain the wildcards "+" or "#" ("${topic}")`;
  // Brokers answer a publish to $SYS/ by closing the connection (MQTT 3.1.1 has no refusal), so one
  // such message would drop the shared connection again on every store-and-forward replay.
  if (topic.startsWith('$SYS/') || topic.startsWith('$share/')) return `"${topic.split('/')[0]}/…" topics are reserved for the broker; a client may not publish to them`;
  return undefined;
}

function commonProblem(value: string, what: string): string | undefined {
  if (value === '') return `the ${what} is empty`;
  if (value.includes('\u0000')) return `the ${what} contains a NUL character`;
  if (Buffer.byteLength(value, 'utf8') > 65535) return `the ${what} is longer than 65535 bytes`;
  return undefined;
}

/** Split a valid filter into its shared-subscription group and the filter proper. */
export function parseFilter(filter: string): ParsedFilter {
  if (!filter.startsWith('$share/')) return { filter, shareGroup: undefined };
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  return { filter: rest.slice(slash + 1), shareGroup: rest.slice(0, slash) };
}

/**
 * Whether a received topic matches a (non-shared) filter. Topics starting with `$` are not matched
 * by a wildcard in the first level (MQTT §4.7.2), so `#` does not see `$SYS/…`.
 *
 * @example
 * topicMatches('plant/+/temp', 'plant/m1/temp') // true
 * topicMatches('plant/#', 'plant')              // true ("#" includes the parent level)
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
