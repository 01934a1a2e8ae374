import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { parseJsonPath } from './json-path.js';
import { lineIndex, type TextPosition } from './text-position.js';

/**
 * Where a JSON path (as issues carry it, e.g. `$.nodes[3].config.port`) is in the text of a
 * document, so the CLI can print `flow.json:41:9: CONFIG_INVALID …`. Points at the property's
 * key for an object member and at the value for an array item. When the path does not exist in
 * the text (a missing required property), the nearest enclosing value that exists is returned.
 * Undefined when `jsonPath` is not a JSON path or the text holds no JSON value at all.
 *
 * Positions are 1-based; columns count UTF-16 code units; a leading byte-order mark is not
 * counted. Placing many issues in one text? Use {@link locator}, which parses the text once.
 *
 * @example
 * const at = locate(text, issue.path);
 * console.log(`${file}:${at?.line ?? 1}:${at?.column ?? 1}: ${issue.code} ${issue.message}`);
 */
export function locate(text: string, jsonPath: string): TextPosition | undefined {
  return locator(text)(jsonPath);
}

/**
 * {@link locate} for many paths in the same text: parses the text once and returns the lookup.
 *
 * @example
 * const where = locator(text);
 * const lines = result.issues.map((issue) => ({ issue, at: where(issue.path) }));
 */
export function locator(text: string): (jsonPath: string) => TextPosition | undefined {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Tolerant on purpose: an issue in a file with a comment or trailing comma still gets a place.
  const root = parseTree(source, [], { disallowComments: false, allowTrailingComma: true });
  const positionOf = lineIndex(source);
  return (jsonPath) => {
    const segments = parseJsonPath(jsonPath);
    if (!segments || !root) return undefined;
    for (let depth = segments.length; depth >= 0; depth--) {
      const node = findNodeAtLocation(root, segments.slice(0, depth));
      if (node) return positionOf(anchor(node));
    }
    return undefined;
  };
}

function anchor(node: Node): number {
  return node.parent?.type === 'property' ? node.parent.offset : node.offset;
}
