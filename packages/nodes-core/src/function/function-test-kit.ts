import { NodeError } from '@plantwire/node-sdk';
import { testNode, type TestNode } from '@plantwire/testing';
import { afterEach, expect } from 'vitest';
import { functionNode } from './function.node.js';

/**
 * The function node's tests share this: `fn(config)` opens a node that is closed after each test
 * (its sandbox worker with it), `failure(node)` runs one message and returns the node error.
 */
export function functionTestKit(defaults: Parameters<typeof testNode>[2] = {}) {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((n) => n.close()));
  });

  async function fn(config: Record<string, unknown>, options: Parameters<typeof testNode>[2] = {}): Promise<TestNode<unknown>> {
    const node = await testNode(functionNode, config, { ...defaults, ...options });
    open.push(node);
    return node;
  }

  /** Runs one message and returns the error the node raised for it (the rejection of onInput). */
  async function failure(node: TestNode<unknown>, msg: Record<string, unknown> = { payload: 1 }): Promise<NodeError> {
    const err: unknown = await node.input(msg).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the message should have failed').toBeInstanceOf(NodeError);
    return err as NodeError;
  }

  /** Close `node` after the test too (a node built by hand). */
  const track = (node: { close(): Promise<void> }): void => void open.push(node);
  /** The test closed its nodes itself. */
  const untrackAll = (): void => void open.splice(0);

  return { fn, failure, track, untrackAll };
}
