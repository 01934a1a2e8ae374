import { describe, expect, it } from 'vitest';
import { demoDocument } from './fixtures.js';
import { documentIssues, issuesByEntry } from './issues-by-node.js';

describe('issuesByEntry', () => {
  it('turns document paths into config paths on the right node', () => {
    const doc = demoDocument();
    const map = issuesByEntry(
      [
        { severity: 'error', code: 'CONFIG_INVALID', message: 'must be a number', path: '$.nodes[0].config.intervalMs', nodeId: 'tick' },
        { severity: 'error', code: 'CONFIG_INVALID', message: 'bad rule', path: '$.nodes[1].config.rules[0].value' },
        { severity: 'warning', code: 'CYCLE', message: 'a cycle', path: '$.wires[0]' },
        { severity: 'error', code: 'CONNECTION_UNKNOWN', message: 'no broker', path: '$.connections[0].config.url' },
      ],
      doc,
    );
    expect(map.get('tick')).toEqual([{ path: ['intervalMs'], message: 'must be a number', severity: 'error' }]);
    expect(map.get('scale')).toEqual([{ path: ['rules', 0, 'value'], message: 'bad rule', severity: 'error' }]);
    expect(map.get('broker')?.[0]?.path).toEqual(['url']);
    expect(map.size).toBe(3);
  });

  it('keeps document-level issues for the banner', () => {
    const issues = documentIssues([
      { severity: 'error', code: 'ENV_MISSING', message: 'x', path: '$.env' },
      { severity: 'error', code: 'CONFIG_INVALID', message: 'y', path: '$.nodes[0].config.a' },
    ]);
    expect(issues.map((i) => i.code)).toEqual(['ENV_MISSING']);
  });
});
