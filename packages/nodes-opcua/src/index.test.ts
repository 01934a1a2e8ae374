import { toConnectionManifest, toManifest } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import { opcuaConnections, opcuaNodes } from './index.js';

describe('the editor sees the OPC UA types as data', () => {
  it('derives a manifest for every node and connection type, with the password as a write-only credential', () => {
    for (const type of opcuaNodes) expect(() => toManifest(type)).not.toThrow();
    const [endpoint] = opcuaConnections.map((c) => toConnectionManifest(c));
    expect(endpoint).toBeDefined();
    expect(opcuaConnections[0]!.credentialFields).toEqual(['password']);
    expect(JSON.stringify(endpoint)).toContain('trustedServerCertificates');
  });
});
