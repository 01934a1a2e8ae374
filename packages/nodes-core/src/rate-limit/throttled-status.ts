import type { NodeContext, NodeStatus } from '@plantwire/node-sdk';

/**
 * Wrap `ctx.status` so a node that updates its badge per message (queue depth, drop counter)
 * sets it at most once per `intervalMs`: the first change goes out at once, later ones within
 * the interval collapse into one trailing update with the latest value. Status changes are
 * runtime events that status nodes, logs and the editor receive, so a flood of messages must not
 * become a flood of status events. Repeats of the badge already shown are skipped.
 *
 * @example
 * const setStatus = throttledStatus(ctx);
 * setStatus({ fill: 'yellow', shape: 'ring', text: `${dropped} dropped` });
 */
export function throttledStatus(
  ctx: Pick<NodeContext<unknown>, 'status' | 'setTimeout'>,
  intervalMs = 1000,
): (status: NodeStatus | null) => void {
  let shown = 'null';
  let lastAt = Number.NEGATIVE_INFINITY;
  let waiting: { status: NodeStatus | null } | undefined;
  let timer: (() => void) | undefined;

  const write = (status: NodeStatus | null) => {
    const key = status === null ? 'null' : JSON.stringify([status.fill, status.shape, status.text]);
    if (key === shown) return;
    shown = key;
    lastAt = Date.now();
    ctx.status(status);
  };

  return (status) => {
    const now = Date.now();
    if (timer === undefined && now - lastAt >= intervalMs) {
      write(status);
      return;
    }
    waiting = { status };
    timer ??= ctx.setTimeout(() => {
      timer = undefined;
      const next = waiting;
      waiting = undefined;
      if (next) write(next.status);
    }, Math.max(0, intervalMs - (now - lastAt)));
  };
}
