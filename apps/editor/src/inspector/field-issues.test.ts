import { describe, expect, it } from 'vitest';
import { mergeIssues, placeIssues, type FieldIssue } from './field-issues.js';
import { configFields } from './schema-fields.js';
import { nodeManifest } from './node-types.fixture.js';

const issue = (path: Array<string | number>, message: string, severity: FieldIssue['severity'] = 'error'): FieldIssue => ({ path, message, severity });

describe('field issues', () => {
  it('keeps the server issue where both speak about one field, and both where they do not', () => {
    const local = [issue(['topic'], 'Topic must not be empty'), issue(['qos'], 'QoS must be one of 0, 1 or 2')];
    const server = [issue(['topic'], 'topic filter "a/#/b": "#" must be the last level'), issue(['broker'], 'no connection entry "b1"', 'warning')];
    expect(mergeIssues(local, server).map((i) => [i.path.join('.'), i.message])).toEqual([
      ['topic', 'topic filter "a/#/b": "#" must be the last level'],
      ['broker', 'no connection entry "b1"'],
      ['qos', 'QoS must be one of 0, 1 or 2'],
    ]);
    // Indexes as strings (a server path) still meet their local twin.
    expect(mergeIssues([issue(['rules', 0, 'path'], 'local')], [issue(['rules', '0', 'path'], 'server')])).toHaveLength(1);
  });

  it('places each issue at the control that draws its path, else the nearest drawn ancestor', () => {
    const root = configFields(nodeManifest('change').configSchema);
    const config = { rules: [{ op: 'set', path: 'a', value: { deep: [1] } }] };
    const placed = placeIssues(root, config, [
      issue(['rules', 0, 'path'], 'bad path'),
      issue(['rules', '0', 'value', 'deep', 0], 'inside a JSON value'),
      issue(['rules', 0, 'op'], 'bad op'),
      issue(['rules', 3, 'path'], 'a rule that is not there'),
      issue([], 'whole config'),
    ]);
    expect(Object.fromEntries([...placed].map(([k, v]) => [k, v.map((i) => i.message)]))).toEqual({
      'rules.0.path': ['bad path'],
      'rules.0.value': ['inside a JSON value'],
      'rules.0.op': ['bad op'],
      rules: ['a rule that is not there'],
      '': ['whole config'],
    });
  });
});
