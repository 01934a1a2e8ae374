import { spawnCli, type CliProcess } from './plantwire-process.js';

/** One stdout line of `plantwire run`: a debug node's message (docs/cli.md). */
export interface DebugLine {
  readonly node: string;
  readonly name?: string;
  readonly msgId: string;
  readonly time: string;
  readonly value: unknown;
}

export function parseDebugLine(line: string): DebugLine | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && 'node' in value && 'value' in value ? (value as DebugLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `plantwire run FILE` until `count` debug lines of `nodeId` have been printed (bounded by
 * `timeoutMs`), then SIGTERM; returns those lines and the exit code.
 */
export async function runFlowFile(file: string, nodeId: string, count: number, timeoutMs = 30_000): Promise<{ lines: DebugLine[]; code: number | null; process: CliProcess }> {
  const cli = spawnCli(['run', file, '--log-level', 'warn']);
  try {
    const of = () => cli.stdout.lines.map(parseDebugLine).filter((l): l is DebugLine => l?.node === nodeId);
    await cli.waitForLine(() => of().length >= count, `${count} debug line(s) of ${nodeId}`, timeoutMs);
    const { code } = await cli.stop();
    return { lines: of(), code, process: cli };
  } catch (err) {
    await cli.stop().catch(() => undefined);
    throw err;
  }
}
