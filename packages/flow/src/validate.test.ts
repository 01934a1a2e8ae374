import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { FlowDocument } from './document.js';
import { fixtureEnv, infoFrom, loadFixture, lookupTypes } from './fixtures/test-node-types.js';
import type { NodeTypeInfo, ValidationIssue } from './issues.js';
import { validate, type ValidateOptions } from './validate.js';

const options: ValidateOptions = { nodeTypes: lookupTypes(), env: fixtureEnv };

type Raw = Record<string, unknown> & { nodes: Array<Record<string, unknown>>; wires: Array<Record<string, unknown>>; connections: Array<Record<string, unknown>> };

/** The fixture, edited by `edit` before validation. */
function fixtureWith(edit: (doc: Raw) => void): Raw {
  const doc = loadFixture() as Raw;
  edit(doc);
  return doc;
}

function codes(issues: readonly ValidationIssue[]): string[] {
  return issues.map((i) => i.code);
}

function only(issues: readonly ValidationIssue[], code: string): ValidationIssue {
  const found = issues.filter((i) => i.code === code);
  expect(found, `expected exactly one ${code} in ${JSON.stringify(issues, null, 2)}`).toHaveLength(1);
  return found[0]!;
}

function wire(from: string, fromPort: string, to: string, toPort: string): Record<string, unknown> {
  return { from: { node: from, port: fromPort }, to: { node: to, port: toPort } };
}

describe('validate: the fixture', () => {
  it('accepts the inject → change → debug fixture with no issues and returns the parsed document', () => {
    const result = validate(loadFixture(), options);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.document?.nodes.map((n) => n.id)).toEqual(['oven-tick', 'tag-reading', 'show', 'publish']);
  });

  it('leaves ${ENV} references in the returned document', () => {
    const result = validate(loadFixture(), options);
    const tick = result.document!.nodes.find((n) => n.id === 'oven-tick')!;
    expect(tick.config['topic']).toBe('${SITE}/line/${LINE}/oven/temperature');
    expect(result.document!.connections![0]!.config['url']).toBe('mqtt://${MQTT_HOST}:1883');
  });

  it('returns the document whenever it is well-formed, even with other errors', () => {
    const result = validate(fixtureWith((doc) => doc.wires.push(wire('oven-tick', 'out', 'shwo', 'in'))), options);
    expect(result.ok).toBe(false);
    expect(result.document?.wires).toHaveLength(5);
  });

  it('does not mutate its input', () => {
    const input = loadFixture();
    const before = JSON.stringify(input);
    validate(input, options);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('validate: never throws, reports instead', () => {
  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'flow'],
    ['an array', [1, 2]],
    ['an empty object', {}],
    ['nodes that are not objects', { version: 1, nodes: [1, null, 'x', []], wires: [null, 3] }],
    ['nodes not an array', { version: 1, nodes: { a: 1 }, wires: {} }],
    ['deeply wrong parts', { version: 1, nodes: [{ id: 5, type: [], config: 'x', queue: 7 }], wires: [{ from: 'a', to: { node: 1 } }], tabs: 'x', layout: 3, env: [] }],
  ])('for %s', (_label, input) => {
    const result = validate(input, options);
    expect(result.ok).toBe(false);
    expect(result.issues.length).toBeGreaterThan(0);
    expect(result.document).toBeUndefined();
    for (const issue of result.issues) {
      expect(issue.code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(issue.path.startsWith('$')).toBe(true);
      expect(issue.message.length).toBeGreaterThan(10);
    }
  });

  it('turns throwing node type callbacks into issues', () => {
    const explode = (): never => {
      throw new Error('boom');
    };
    const broken: NodeTypeInfo = { kind: 'node', version: 2, inputs: ['in'], outputs: ['out'], validateConfig: explode, migrateConfig: explode, virtualWires: explode };
    const doc = { version: 1, nodes: [{ id: 'a', type: 'broken', config: {} }, { id: 'b', type: 'broken', typeVersion: 2, config: {} }], wires: [] };
    const result = validate(doc, { nodeTypes: () => broken });
    expect(result.ok).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'MIGRATION_FAILED', path: '$.nodes[0].config', nodeId: 'a', message: expect.stringContaining('boom') }),
      expect.objectContaining({ code: 'CONFIG_INVALID', path: '$.nodes[1].config', nodeId: 'b', message: expect.stringContaining('boom') }),
      expect.objectContaining({ code: 'CONFIG_INVALID', path: '$.nodes[1].config', nodeId: 'b', message: expect.stringContaining('links') }),
    ]);
  });

  it('turns a throwing nodeTypes lookup into an issue', () => {
    const result = validate(loadFixture(), {
      nodeTypes: () => {
        throw new Error('registry unavailable');
      },
    });
    expect(result.ok).toBe(false);
    expect(result.issues).toEqual([expect.objectContaining({ code: 'INTERNAL_ERROR', message: expect.stringContaining('registry unavailable') })]);
  });
});

describe('validate: structure', () => {
  it('maps schema problems to paths, naming unknown keys and the allowed ones', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.nodes[1]!['nmae'] = 'typo';
        doc.nodes[2]!['queue'] = { capacity: 0, overflow: 'drop-newest' };
        delete doc.nodes[3]!['type'];
      }),
      options,
    );
    expect(result.ok).toBe(false);
    expect(result.document).toBeUndefined();
    const schema = result.issues.filter((i) => i.code === 'SCHEMA_INVALID');
    expect(schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.nodes[1].nmae', nodeId: 'tag-reading', message: expect.stringMatching(/unknown property "nmae"; expected one of: id, type, typeVersion, name, tab/) }),
        expect.objectContaining({ path: '$.nodes[2].queue.capacity', nodeId: 'show', message: expect.stringContaining('got 0') }),
        expect.objectContaining({ path: '$.nodes[2].queue.overflow', nodeId: 'show', message: 'expected "block" or "drop-oldest" or "keep-latest-per-topic", got "drop-newest"' }),
        expect.objectContaining({ path: '$.nodes[3].type', nodeId: 'publish', message: 'missing required property "type" (expected a string)' }),
      ]),
    );
    expect(schema).toHaveLength(4);
  });

  it('still runs the other checks on well-formed entries, so every problem comes at once', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.nodes[1]!['nmae'] = 'typo'; // schema problem, but the node is otherwise fine
        doc.nodes[3]!['config'] = 'not an object'; // a broken node: wires to it are not "dangling"
        doc.wires.push(wire('tag-reading', 'out', 'nowhere', 'in'));
        (doc.nodes[0]!['config'] as Record<string, unknown>)['intervalSeconds'] = -1;
      }),
      options,
    );
    expect(codes(result.issues).sort()).toEqual(['CONFIG_INVALID', 'SCHEMA_INVALID', 'SCHEMA_INVALID', 'WIRE_DANGLING']);
    expect(only(result.issues, 'CONFIG_INVALID').path).toBe('$.nodes[0].config.intervalSeconds');
    expect(only(result.issues, 'WIRE_DANGLING').path).toBe('$.wires[4].to.node');
  });

  it('names a bad env variable name', () => {
    const result = validate(fixtureWith((doc) => ((doc['env'] as Record<string, string>)['line-no'] = '3')), options);
    expect(only(result.issues, 'SCHEMA_INVALID')).toMatchObject({ path: '$.env["line-no"]', message: expect.stringContaining('environment variable name') });
  });
});

describe('validate: document versions', () => {
  it('rejects a missing version', () => {
    const result = validate(fixtureWith((doc) => delete doc['version']), options);
    expect(result.issues).toEqual([expect.objectContaining({ code: 'VERSION_UNSUPPORTED', path: '$', severity: 'error' })]);
    expect(result.ok).toBe(false);
  });

  it('rejects a version newer than supported, saying which one is', () => {
    const result = validate(fixtureWith((doc) => (doc['version'] = 7)), options);
    expect(only(result.issues, 'VERSION_UNSUPPORTED')).toMatchObject({ path: '$.version', message: expect.stringMatching(/version 7.*version 1/) });
  });
});

describe('validate: ids and tabs', () => {
  it('reports duplicate ids across nodes and connections at the later entry', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.nodes.push({ id: 'show', type: 'debug', config: {} });
        doc.connections.push({ id: 'oven-tick', type: 'mqtt-broker', config: { url: 'mqtt://h', clientId: 'c', keepaliveSeconds: 1 } });
      }),
      options,
    );
    expect(result.issues.filter((i) => i.code === 'DUPLICATE_ID')).toEqual([
      expect.objectContaining({ path: '$.nodes[4].id', nodeId: 'show', message: expect.stringContaining('already used by the node at $.nodes[2]') }),
      expect.objectContaining({ path: '$.connections[1].id', nodeId: 'oven-tick', message: expect.stringContaining('already used by the node at $.nodes[0]') }),
    ]);
  });

  it('reports duplicate tab ids', () => {
    const result = validate(fixtureWith((doc) => (doc['tabs'] as unknown[]).push({ id: 'line-3', label: 'Again' })), options);
    expect(only(result.issues, 'DUPLICATE_ID')).toMatchObject({ path: '$.tabs[1].id', message: expect.stringContaining('tab id "line-3"') });
  });

  it('reports a node on an unknown tab, listing the tabs that exist', () => {
    const result = validate(fixtureWith((doc) => (doc.nodes[2]!['tab'] = 'line-4')), options);
    expect(only(result.issues, 'TAB_UNKNOWN')).toEqual({
      severity: 'error',
      code: 'TAB_UNKNOWN',
      path: '$.nodes[2].tab',
      nodeId: 'show',
      message: 'tab "line-4" does not exist; expected one of: line-3',
    });
  });
});

describe('validate: types', () => {
  it('reports unknown node and connection types when a lookup is given', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.nodes[1]!['type'] = 'chnage';
        doc.connections[0]!['type'] = 'mqtt-brokr';
      }),
      options,
    );
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_NODE_TYPE', path: '$.nodes[1].type', nodeId: 'tag-reading', message: expect.stringContaining('"chnage"') }),
      expect.objectContaining({ code: 'UNKNOWN_NODE_TYPE', path: '$.connections[0].type', nodeId: 'plant-broker', message: expect.stringContaining('"mqtt-brokr"') }),
    ]);
  });

  it('checks no types, ports or configs without a lookup', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.nodes[1]!['type'] = 'chnage';
        doc.wires.push(wire('show', 'in', 'publish', 'nope'));
      }),
      { env: fixtureEnv },
    );
    expect(result.issues).toEqual([]);
  });

  it('reports a connection type used as a node and a node type used as a connection', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.nodes[2]!['type'] = 'mqtt-broker';
        doc.connections[0]!['type'] = 'debug';
      }),
      options,
    );
    expect(result.issues.filter((i) => i.code === 'TYPE_KIND_MISMATCH')).toEqual([
      expect.objectContaining({ path: '$.nodes[2].type', message: '"mqtt-broker" is a connection type, so it belongs in $.connections, not $.nodes' }),
      expect.objectContaining({ path: '$.connections[0].type', message: '"debug" is a node type, so it belongs in $.nodes, not $.connections' }),
    ]);
  });
});

describe('validate: wires', () => {
  it('reports a wire to a node that does not exist', () => {
    const result = validate(fixtureWith((doc) => doc.wires.push(wire('oven-tick', 'out', 'shwo', 'in'))), options);
    expect(result.issues).toEqual([
      { severity: 'error', code: 'WIRE_DANGLING', path: '$.wires[4].to.node', message: 'wire ends at node "shwo", which does not exist; expected the id of a node in $.nodes' },
    ]);
  });

  it('reports an unknown port, listing the ports that exist (with the implicit error port)', () => {
    const result = validate(fixtureWith((doc) => doc.wires.push(wire('tag-reading', 'output', 'show', 'input'))), options);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'PORT_UNKNOWN', path: '$.wires[4].from.port', message: 'node "tag-reading" has no output port "output"; its outputs are: out, error' }),
      expect.objectContaining({ code: 'PORT_UNKNOWN', path: '$.wires[4].to.port', message: 'node "show" has no input port "input"; its inputs are: in' }),
    ]);
  });

  it('reports wires that start at an input or end at an output', () => {
    const result = validate(fixtureWith((doc) => doc.wires.push(wire('show', 'in', 'oven-tick', 'out'))), options);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'WIRE_DIRECTION', path: '$.wires[4].from.port', message: expect.stringContaining('must start at an output port') }),
      expect.objectContaining({ code: 'WIRE_DIRECTION', path: '$.wires[4].to.port', message: expect.stringContaining('must end at an input port') }),
    ]);
  });

  it('accepts a wire from any node\'s implicit error port', () => {
    const result = validate(fixtureWith((doc) => doc.wires.push(wire('show', 'error', 'publish', 'in'))), options);
    expect(result.issues).toEqual([]);
  });

  it('reports wires to or from a connection entry', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.wires.push(wire('plant-broker', 'out', 'show', 'in'));
        doc.wires.push(wire('tag-reading', 'out', 'plant-broker', 'in'));
      }),
      options,
    );
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'WIRE_TO_CONNECTION', path: '$.wires[4].from.node' }),
      expect.objectContaining({ code: 'WIRE_TO_CONNECTION', path: '$.wires[5].to.node', message: expect.stringContaining('connection') }),
    ]);
  });

  it('warns about a duplicate wire without failing the document', () => {
    const result = validate(fixtureWith((doc) => doc.wires.push(wire('tag-reading', 'out', 'show', 'in'))), options);
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'WIRE_DUPLICATE', path: '$.wires[4]', message: expect.stringContaining('$.wires[1]') })]);
  });
});

describe('validate: config and env', () => {
  it('reports config problems with the path inside the config', () => {
    const result = validate(
      fixtureWith((doc) => {
        const rules = (doc.nodes[1]!['config'] as { rules: Array<Record<string, unknown>> }).rules;
        rules[2] = { op: 'move', path: 'raw' };
      }),
      options,
    );
    expect(only(result.issues, 'CONFIG_INVALID')).toMatchObject({ path: '$.nodes[1].config.rules[2].to', nodeId: 'tag-reading' });
  });

  it('validates the config after env substitution, with numbers from env', () => {
    // QOS comes from the tab env as "1" and must reach mqtt-out as the number 1.
    expect(validate(loadFixture(), options).ok).toBe(true);
    const result = validate(loadFixture(), { ...options, env: { ...fixtureEnv, QOS: '0' } });
    expect(result.ok).toBe(true); // the tab's QOS wins over the process's
    const tabless = fixtureWith((doc) => {
      doc['tabs'] = [{ id: 'line-3', label: 'Line 3', env: { UNIT: 'degC', QOS: 'at least once' } }];
    });
    expect(only(validate(tabless, options).issues, 'CONFIG_INVALID')).toMatchObject({ path: '$.nodes[3].config.qos', nodeId: 'publish' });
  });

  it('reports a missing env variable at the value that references it, once', () => {
    const result = validate(loadFixture(), { nodeTypes: lookupTypes(), env: {} });
    expect(result.issues).toEqual([
      {
        severity: 'error',
        code: 'ENV_MISSING',
        path: '$.connections[0].config.url',
        nodeId: 'plant-broker',
        message: 'environment variable "MQTT_HOST" is not defined; expected it in the document env or the process environment',
      },
    ]);
  });

  it('layers process < document < tab env', () => {
    const doc = fixtureWith((d) => {
      (d.nodes[0]!['config'] as Record<string, unknown>)['intervalSeconds'] = '${INTERVAL}';
    });
    expect(only(validate(doc, options).issues, 'ENV_MISSING')).toMatchObject({ path: '$.nodes[0].config.intervalSeconds', message: expect.stringContaining('tab "line-3" env') });
    expect(validate(doc, { ...options, env: { ...fixtureEnv, INTERVAL: '10' } }).ok).toBe(true);
    expect(only(validate(doc, { ...options, env: { ...fixtureEnv, INTERVAL: 'often' } }).issues, 'CONFIG_INVALID').path).toBe('$.nodes[0].config.intervalSeconds');
  });
});

describe('validate: node type versions', () => {
  const injectV2: NodeTypeInfo = infoFrom({
    version: 2,
    outputs: ['out'],
    config: z.object({ everyMs: z.number(), payload: z.unknown(), topic: z.string().optional() }).strict(),
    migrateConfig(config, fromVersion) {
      expect(fromVersion).toBe(1);
      const { intervalSeconds, ...rest } = config;
      return { ...rest, everyMs: (intervalSeconds as number) * 1000 };
    },
  });

  it('migrates configs written for an older type version and sets typeVersion', () => {
    const result = validate(loadFixture(), { ...options, nodeTypes: lookupTypes({ inject: injectV2 }) });
    expect(result.issues).toEqual([]);
    const tick = result.document!.nodes.find((n) => n.id === 'oven-tick')!;
    expect(tick.typeVersion).toBe(2);
    expect(tick.config).toEqual({ everyMs: 5000, payload: { type: 'number', value: 212.5 }, topic: '${SITE}/line/${LINE}/oven/temperature' });
    // Nodes of types already current are returned as written: no typeVersion added.
    expect(result.document!.nodes.find((n) => n.id === 'show')!.typeVersion).toBeUndefined();
  });

  it('reports a config written for a newer type version than installed', () => {
    const result = validate(fixtureWith((doc) => (doc.nodes[1]!['typeVersion'] = 3)), options);
    expect(only(result.issues, 'TYPE_VERSION_UNSUPPORTED')).toMatchObject({ path: '$.nodes[1].typeVersion', nodeId: 'tag-reading', message: expect.stringContaining('version 3') });
  });

  it('reports a type that is newer but cannot migrate', () => {
    const { migrateConfig: _drop, ...noMigrations } = injectV2;
    const result = validate(loadFixture(), { ...options, nodeTypes: lookupTypes({ inject: noMigrations }) });
    expect(only(result.issues, 'MIGRATION_FAILED')).toMatchObject({ path: '$.nodes[0].typeVersion', nodeId: 'oven-tick' });
  });
});

describe('validate: virtual wires', () => {
  const linked = (links: string[]): Raw =>
    fixtureWith((doc) => {
      doc.nodes.push({ id: 'to-archive', type: 'link-out', tab: 'line-3', config: { links } });
      doc.nodes.push({ id: 'archive-in', type: 'link-in', tab: 'line-3', config: {} });
      doc.wires.push(wire('tag-reading', 'out', 'to-archive', 'in'));
      doc.wires.push(wire('archive-in', 'out', 'show', 'in'));
    });

  it('accepts links to existing nodes', () => {
    expect(validate(linked(['archive-in']), options).issues).toEqual([]);
  });

  it('reports a link to a missing node with the path of the config field naming it', () => {
    const result = validate(linked(['archive-in', 'archive-out']), options);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'WIRE_DANGLING', path: '$.nodes[4].config.links[1]', nodeId: 'to-archive', message: expect.stringContaining('"archive-out"') }),
    ]);
  });

  it('reports a link to a node without that input, and one to a connection', () => {
    const result = validate(linked(['oven-tick', 'plant-broker']), options);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'PORT_UNKNOWN', path: '$.nodes[4].config.links[0]', message: expect.stringContaining('no input port "in"') }),
      expect.objectContaining({ code: 'WIRE_TO_CONNECTION', path: '$.nodes[4].config.links[1]' }),
    ]);
  });

  it('counts links when looking for cycles', () => {
    const result = validate(linked(['archive-in']), options);
    expect(result.issues).toEqual([]);
    const looped = linked(['archive-in']);
    looped.wires.push(wire('archive-in', 'out', 'tag-reading', 'in'));
    expect(only(validate(looped, options).issues, 'CYCLE').message).toContain('"tag-reading", "to-archive", "archive-in"');
  });
});

describe('validate: layout and cycles', () => {
  it('warns about layout entries and group members that are not nodes', () => {
    const result = validate(
      fixtureWith((doc) => {
        const layout = doc['layout'] as { nodes: Record<string, unknown>; groups: Array<{ nodes: string[] }> };
        layout.nodes['deleted-node'] = { x: 1, y: 2 };
        layout.groups[0]!.nodes.push('plant-broker');
      }),
      options,
    );
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'LAYOUT_UNKNOWN_NODE', path: '$.layout.nodes["deleted-node"]' }),
      expect.objectContaining({ severity: 'warning', code: 'LAYOUT_UNKNOWN_NODE', path: '$.layout.groups[0].nodes[2]' }),
    ]);
  });

  it('warns about duplicate group ids and groups on unknown tabs', () => {
    const result = validate(
      fixtureWith((doc) => {
        (doc['layout'] as { groups: unknown[] }).groups.push({ id: 'oven', tab: 'line-9', nodes: ['show'] });
      }),
      options,
    );
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'DUPLICATE_ID', path: '$.layout.groups[1].id' }),
      expect.objectContaining({ severity: 'warning', code: 'TAB_UNKNOWN', path: '$.layout.groups[1].tab', message: expect.stringContaining('"line-9"') }),
    ]);
  });

  it('warns about a retry loop through the error port, naming its nodes, without failing', () => {
    const result = validate(
      fixtureWith((doc) => {
        doc.nodes.push({ id: 'retry', type: 'change', tab: 'line-3', config: { rules: [{ op: 'delete', path: 'error' }] } });
        doc.wires.push(wire('publish', 'error', 'retry', 'in'));
        doc.wires.push(wire('retry', 'out', 'publish', 'in'));
      }),
      options,
    );
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      { severity: 'warning', code: 'CYCLE', path: '$.wires[4]', message: expect.stringMatching(/^nodes "publish", "retry" form a cycle/) },
    ]);
  });

  it('warns about a node wired to itself', () => {
    const result = validate(fixtureWith((doc) => doc.wires.push(wire('tag-reading', 'out', 'tag-reading', 'in'))), options);
    expect(only(result.issues, 'CYCLE').message).toMatch(/^node "tag-reading" is wired to itself/);
  });
});

describe('validate: scale', () => {
  it('validates a generated 5,000-node, 5,000-wire document with no issues', () => {
    const count = 5000;
    const nodes: FlowDocument['nodes'] = [];
    const wires: FlowDocument['wires'] = [];
    // One long chain (inject → change/switch … → debug) plus the inject's error port wired to the
    // debug: 5,000 wires, no cycles, every config checked against its schema with env substituted.
    const typeAt = (i: number): string => (i === 0 ? 'inject' : i === count - 1 ? 'debug' : i % 10 === 5 ? 'switch' : 'change');
    const configs: Record<string, Record<string, unknown>> = {
      inject: { intervalSeconds: 1, payload: { type: 'number', value: 1 }, topic: 'line/${LINE}' },
      change: { rules: [{ op: 'set', path: 'payload.line', value: '${LINE}' }, { op: 'delete', path: 'raw' }] },
      switch: { property: 'payload.line', equals: '${LINE}' },
      debug: { complete: 'payload' },
    };
    for (let i = 0; i < count; i++) nodes.push({ id: `n${i}`, type: typeAt(i), tab: `tab-${i % 10}`, config: configs[typeAt(i)]! });
    for (let i = 0; i + 1 < count; i++) {
      wires.push({ from: { node: `n${i}`, port: typeAt(i) === 'switch' ? 'match' : 'out' }, to: { node: `n${i + 1}`, port: 'in' } });
    }
    wires.push({ from: { node: 'n0', port: 'error' }, to: { node: `n${count - 1}`, port: 'in' } });
    const doc = {
      version: 1,
      env: { LINE: '3' },
      tabs: Array.from({ length: 10 }, (_, t) => ({ id: `tab-${t}`, label: `Tab ${t}` })),
      nodes,
      wires,
      layout: { nodes: Object.fromEntries(nodes.map((n, i) => [n.id, { x: (i % 50) * 200, y: Math.floor(i / 50) * 80 }])) },
    };
    expect(wires).toHaveLength(count);
    const result = validate(doc, { nodeTypes: lookupTypes() });
    expect(result.issues).toEqual([]);
    expect(result.document?.nodes).toHaveLength(count);
  });
});
