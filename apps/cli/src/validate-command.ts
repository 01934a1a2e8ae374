import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import { EXIT, type ExitCode } from './exit-codes.js';
import { countIssues, formatIssue, loadFlow } from './load-flow.js';

export interface ValidateOptions {
  readonly files: readonly string[];
  readonly nodeTypes: readonly AnyNodeType[];
  readonly connectionTypes: readonly AnyConnectionType[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
}

/**
 * `plantwire validate FILE…`: every problem of every file, one per line, then a summary line per
 * file. Exit 1 when any file has an error; warnings alone exit 0.
 */
export async function validateCommand(options: ValidateOptions): Promise<ExitCode> {
  let failed = false;
  for (const file of options.files) {
    const flow = await loadFlow(file, options.nodeTypes, options.env, options.connectionTypes);
    for (const issue of flow.issues) options.out(formatIssue(file, issue));
    if (flow.ok) {
      const doc = flow.document!;
      const counts = `${doc.nodes.length} node${doc.nodes.length === 1 ? '' : 's'}, ${doc.wires.length} wire${doc.wires.length === 1 ? '' : 's'}`;
      options.out(`${file}: OK (${counts}, ${countIssues(flow.issues).split(', ')[1]})`);
    } else {
      failed = true;
      options.out(`${file}: invalid (${countIssues(flow.issues)})`);
    }
  }
  return failed ? EXIT.INVALID : EXIT.OK;
}
