import type { FlowDocument } from './document.js';

// The fixed key orders. Keys not listed (possible only in objects that bypassed the schema) are
// kept, after the listed ones, sorted.
const DOCUMENT_KEYS = ['$schema', 'version', 'name', 'description', 'env', 'tabs', 'connections', 'nodes', 'wires', 'layout'];
const NODE_KEYS = ['id', 'type', 'typeVersion', 'name', 'tab', 'disabled', 'queue', 'config'];
const CONNECTION_KEYS = ['id', 'type', 'typeVersion', 'name', 'config'];
const TAB_KEYS = ['id', 'label', 'disabled', 'env'];
const QUEUE_KEYS = ['capacity', 'overflow'];
const WIRE_KEYS = ['from', 'to'];
const PORT_REF_KEYS = ['node', 'port'];
const LAYOUT_KEYS = ['nodes', 'groups'];
const POSITION_KEYS = ['x', 'y', 'width', 'height'];
const GROUP_KEYS = ['id', 'label', 'tab', 'nodes', 'style'];

const INDENT = '  ';

/** How the value of one key is printed, given the indentation of the line it starts on. */
type Printer = (value: unknown, indent: string) => string;

/**
 * Serialise a flow document the one way Plantwire writes it, so that documents diff and merge
 * well in git:
 * - fixed key order (document: $schema, version, name, description, env, tabs, connections,
 *   nodes, wires, layout; node: id, type, typeVersion, name, tab, disabled, queue, config;
 *   connection: id, type, typeVersion, name, config);
 * - records (config objects at every depth, env, layout.nodes, group styles) with keys sorted by
 *   UTF-16 code unit, so the order never depends on who wrote the file or the locale;
 * - nodes and connections sorted by id, wires by from.node, from.port, to.node, to.port; tabs and
 *   groups keep their order (it is the order the editor shows);
 * - 2-space indent and a trailing newline; every wire and every layout position on one line.
 *
 * So changing one config field, moving a node or renaming one changes one line, and a wire
 * added anywhere but after the last one in sort order adds one line (after the last one, the line
 * before it also gains a comma: JSON has no trailing commas).
 *
 * Values follow JSON.stringify: undefined properties are omitted, undefined and non-finite numbers
 * in arrays become null. The result is a fixed point:
 * `canonicalStringify(JSON.parse(canonicalStringify(d))) === canonicalStringify(d)`.
 *
 * @example
 * await writeFile('flow.json', canonicalStringify(result.document));
 */
export function canonicalStringify(doc: FlowDocument): string {
  return `${printObject(doc, '', DOCUMENT_KEYS, DOCUMENT_PRINTERS)}\n`;
}

const printSorted: Printer = (value, indent) => printValue(value, indent);
const printNodes: Printer = (value, indent) => printArray(sortById(value), indent, (entry, i) => printObject(entry, i, NODE_KEYS, NODE_PRINTERS));
const printConnections: Printer = (value, indent) =>
  printArray(sortById(value), indent, (entry, i) => printObject(entry, i, CONNECTION_KEYS, { config: printSorted }));
const printTabs: Printer = (value, indent) => printArray(value, indent, (tab, i) => printObject(tab, i, TAB_KEYS, { env: printSorted }));
const printWires: Printer = (value, indent) => printArray(sortWires(value), indent, (wire) => inlineObject(wire, WIRE_KEYS, { from: portRef, to: portRef }));
const printLayout: Printer = (value, indent) => printObject(value, indent, LAYOUT_KEYS, { nodes: printPositions, groups: printGroups });
const printPositions: Printer = (value, indent) => printObject(value, indent, [], {}, (position) => inlineObject(position, POSITION_KEYS, {}));
const printGroups: Printer = (value, indent) => printArray(value, indent, (group, i) => printObject(group, i, GROUP_KEYS, { style: printSorted }));
const portRef = (value: unknown): string => inlineObject(value, PORT_REF_KEYS, {});

const DOCUMENT_PRINTERS: Record<string, Printer> = {
  env: printSorted,
  tabs: printTabs,
  connections: printConnections,
  nodes: printNodes,
  wires: printWires,
  layout: printLayout,
};
const NODE_PRINTERS: Record<string, Printer> = {
  queue: (value, indent) => printObject(value, indent, QUEUE_KEYS, {}),
  config: printSorted,
};

/**
 * Print an object over several lines: `order` keys first, then the others sorted. A key's value
 * goes through `printers[key]`, else `each` (for records whose values share one shape), else the
 * generic sorted printer. Anything that is not an object falls back to the generic printer.
 */
function printObject(
  value: unknown,
  indent: string,
  order: readonly string[],
  printers: Readonly<Record<string, Printer>>,
  each?: (value: unknown, indent: string) => string,
): string {
  if (!isPlainObject(value)) return printValue(value, indent);
  const inner = indent + INDENT;
  const lines: string[] = [];
  for (const key of orderedKeys(value, order)) {
    const item = value[key];
    if (!isPrintable(item)) continue;
    const printer = Object.hasOwn(printers, key) ? printers[key]! : each ?? printValue;
    lines.push(`${inner}${JSON.stringify(key)}: ${printer(item, inner)}`);
  }
  return lines.length === 0 ? '{}' : `{\n${lines.join(',\n')}\n${indent}}`;
}

function printArray(value: unknown, indent: string, printItem: (item: unknown, indent: string) => string): string {
  if (!Array.isArray(value)) return printValue(value, indent);
  if (value.length === 0) return '[]';
  const inner = indent + INDENT;
  return `[\n${value.map((item) => `${inner}${isPrintable(item) ? printItem(item, inner) : 'null'}`).join(',\n')}\n${indent}]`;
}

/** The generic printer for free-form values (config): JSON with every object's keys sorted. */
function printValue(value: unknown, indent: string): string {
  const json = toJsonValue(value);
  if (Array.isArray(json)) return printArray(json, indent, printValue);
  if (isPlainObject(json)) return printObject(json, indent, [], {});
  return scalar(json);
}

/** One-line form: `{ "x": 10, "y": 20 }`, keys in `order` then sorted. */
function inlineObject(value: unknown, order: readonly string[], printers: Readonly<Record<string, (value: unknown) => string>>): string {
  if (!isPlainObject(value)) return inlineValue(value);
  const parts: string[] = [];
  for (const key of orderedKeys(value, order)) {
    const item = value[key];
    if (!isPrintable(item)) continue;
    const printer = Object.hasOwn(printers, key) ? printers[key]! : inlineValue;
    parts.push(`${JSON.stringify(key)}: ${printer(item)}`);
  }
  return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
}

function inlineValue(value: unknown): string {
  const json = toJsonValue(value);
  if (Array.isArray(json)) return json.length === 0 ? '[]' : `[${json.map((item) => (isPrintable(item) ? inlineValue(item) : 'null')).join(', ')}]`;
  if (isPlainObject(json)) return inlineObject(json, [], {});
  return scalar(json);
}

function scalar(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  return 'null';
}

function toJsonValue(value: unknown): unknown {
  if (isPlainObject(value) && typeof value['toJSON'] === 'function') return (value['toJSON'] as () => unknown)();
  return value;
}

/** What JSON.stringify would keep as an object property. */
function isPrintable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function orderedKeys(value: Record<string, unknown>, order: readonly string[]): string[] {
  const rest = Object.keys(value).filter((key) => !order.includes(key)).sort(compare);
  return [...order.filter((key) => Object.hasOwn(value, key)), ...rest];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortById(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return [...value].sort((a, b) => compare(String(field(a, 'id') ?? ''), String(field(b, 'id') ?? '')));
}

function sortWires(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const key = (wire: unknown): string[] => {
    const from = field(wire, 'from');
    const to = field(wire, 'to');
    return [field(from, 'node'), field(from, 'port'), field(to, 'node'), field(to, 'port')].map((v) => String(v ?? ''));
  };
  return [...value].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const c = compare(ka[i]!, kb[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
}

function field(value: unknown, key: string): unknown {
  return isPlainObject(value) ? value[key] : undefined;
}
