import { parseJsonPath, type FlowDocument, type ValidationIssue } from '@plantwire/flow';

/** A problem with one field of a config, path relative to the config (the inspector's `FieldIssue`). */
export interface ConfigIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/**
 * Spread the server's issues over the entries they belong to: `$.nodes[3].config.rules[0].value`
 * becomes `['rules', 0, 'value']` on node `nodes[3].id` (the issue's `nodeId`, else the index in
 * the document that was sent). Issues about the entry but not its config get an empty path.
 */
export function issuesByEntry(issues: readonly ValidationIssue[], sent: FlowDocument): Map<string, ConfigIssue[]> {
  const byEntry = new Map<string, ConfigIssue[]>();
  for (const issue of issues) {
    const segments = parseJsonPath(issue.path) ?? [];
    let id = issue.nodeId;
    if (id === undefined && (segments[0] === 'nodes' || segments[0] === 'connections') && typeof segments[1] === 'number') {
      id = (segments[0] === 'nodes' ? sent.nodes : (sent.connections ?? []))[segments[1]]?.id;
    }
    if (id === undefined) continue;
    const path = (segments[0] === 'nodes' || segments[0] === 'connections') && segments[2] === 'config' ? segments.slice(3) : [];
    const list = byEntry.get(id) ?? [];
    list.push({ path, message: issue.message, severity: issue.severity });
    byEntry.set(id, list);
  }
  return byEntry;
}

/** Issues that belong to no node or connection (document-level), for the deploy banner. */
export function documentIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => i.nodeId === undefined && !/^\$\.(nodes|connections)\[\d+\]/.test(i.path));
}
