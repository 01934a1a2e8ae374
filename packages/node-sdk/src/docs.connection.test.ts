import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { connectionRef } from './connection-ref.js';
import { defineConnection } from './define-connection.js';
import { defineNode } from './define-node.js';
import { renderConnectionDoc, renderNodeDoc } from './docs.js';

const broker = defineConnection({
  type: 'doc-broker',
  version: 1,
  summary: 'An MQTT broker.',
  config: z.object({ host: z.string().meta({ description: 'Broker host name.' }), port: z.int().default(1883) }),
  credentials: z.object({ password: z.string().meta({ description: 'The broker password.' }) }),
  connect: async () => ({}),
  disconnect: async () => undefined,
});

describe('renderConnectionDoc', () => {
  it('renders config and credential fields, never a value', () => {
    const page = renderConnectionDoc(broker);
    expect(page).toContain('# `doc-broker`');
    expect(page).toContain('| `host` | string | *required* | Broker host name. |  |');
    expect(page).toContain('## Credentials');
    expect(page).toContain('| `password` | string | *required* | The broker password. |  |');
    expect(page).toContain('[SECRET_IN_DOCUMENT](../errors.md#SECRET_IN_DOCUMENT)');
    const bare = defineConnection({ type: 'bare', version: 1, summary: 's', config: z.object({}), connect: async () => ({}), disconnect: async () => undefined });
    expect(renderConnectionDoc(bare)).toContain('## Credentials\n\nThis connection type takes no credentials.');
    expect(page).not.toContain('Browsable');
  });

  it('says when the editor can browse the live server for node ids', () => {
    const server = defineConnection({
      type: 'doc-server',
      version: 1,
      summary: 's',
      config: z.object({}),
      connect: async () => ({}),
      disconnect: async () => undefined,
      browse: async (_client, request) => ({ node: request.node ?? 'root', items: [] }),
    });
    expect(renderConnectionDoc(server)).toContain('\n**Browsable:** the editor can pick node ids from the live server.\n');
  });

  it('shows a connectionRef field of a node as a connection id of its type', () => {
    const node = defineNode({ type: 'doc-in', version: 1, category: 'source', summary: 's', outputs: { out: 'x' }, config: z.object({ broker: connectionRef(broker) }) });
    expect(renderNodeDoc(node)).toContain('| `broker` | connection id (`doc-broker`) | *required* | **Connection.** Id of a `doc-broker` entry in the document\'s connections. |');
  });
});
