import { validate } from '@plantwire/flow';
import { createRegistry, defineNode } from '@plantwire/node-sdk';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { compileFlow } from './compile-flow.js';
import { ConfigParseCache } from './config-parse-cache.js';

/** A node type whose schema counts how often a config is parsed. */
function countingType() {
  const counter = { parses: 0 };
  const type = defineNode({
    type: 'counted',
    version: 1,
    category: 'transform',
    summary: 'Counts parses of its config.',
    inputs: { in: 'x' },
    outputs: { out: 'x' },
    config: z
      .strictObject({ level: z.int().min(0), tags: z.array(z.string()).default(['a']), extra: z.unknown().optional() })
      .superRefine(() => void counter.parses++),
  });
  return { type, counter };
}

const doc = (configs: unknown[]) => ({
  version: 1,
  nodes: configs.map((config, i) => ({ id: `n${i}`, type: 'counted', config })),
  wires: [],
});

describe('ConfigParseCache', () => {
  it('parses each distinct config once across validation and compiling, and gives every node its own config', () => {
    const { type, counter } = countingType();
    const registry = createRegistry([type]);
    const cache = new ConfigParseCache(registry);
    const document = doc([{ level: 1 }, { level: 1 }, { level: 2 }, { level: 1 }]);
    const validated = validate(document, { nodeTypes: cache.info });
    expect(validated.ok).toBe(true);
    expect(counter.parses).toBe(2);
    const compiled = compileFlow(validated.document!, { registry, processEnv: {}, defaultQueueCapacity: 10, parseConfig: (def, config) => cache.parseFor(def.config, config) });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
    expect(counter.parses).toBe(2);
    const configs = ['n0', 'n1', 'n2', 'n3'].map((id) => compiled.flow.nodes.get(id)!.config as { level: number; tags: string[] });
    expect(configs.map((c) => c.level)).toEqual([1, 1, 2, 1]);
    expect(configs[1]).toEqual(configs[0]);
    expect(configs[1]).not.toBe(configs[0]);
    expect(configs[1]!.tags).not.toBe(configs[0]!.tags);
    expect(configs[3]).not.toBe(configs[0]);
  });

  it('reports the same problems for every copy of an invalid config, with each node\'s path', () => {
    const { type } = countingType();
    const cache = new ConfigParseCache(createRegistry([type]));
    const result = validate(doc([{ level: -1 }, { level: -1 }]), { nodeTypes: cache.info });
    expect(result.ok).toBe(false);
    expect(result.issues.filter((i) => i.code === 'CONFIG_INVALID').map((i) => i.path)).toEqual(['$.nodes[0].config.level', '$.nodes[1].config.level']);
  });

  it('does not share by content a config that JSON would not tell apart from another', () => {
    const { type, counter } = countingType();
    const registry = createRegistry([type]);
    const cache = new ConfigParseCache(registry);
    // {extra: undefined} and {} have the same JSON text but are different values.
    const configs = [{ level: 1, extra: undefined }, { level: 1, extra: undefined }, { level: 1, extra: Number.NaN }];
    for (const config of configs) expect(cache.parseFor(type.config, config).success).toBe(true);
    expect(counter.parses).toBe(3);
  });

  it('knows which configs validation checked as they are, so compiling need not substitute them again', () => {
    const { type } = countingType();
    const registry = createRegistry([type]);
    const cache = new ConfigParseCache(registry);
    const document = { version: 1, env: { LEVEL: '3' }, nodes: [{ id: 'plain', type: 'counted', config: { level: 1 } }, { id: 'env', type: 'counted', config: { level: '${LEVEL}' } }], wires: [] };
    const validated = validate(document, { nodeTypes: cache.info });
    expect(validated.ok).toBe(true);
    const [plain, env] = validated.document!.nodes;
    expect(cache.substitutesToItself(plain!.config)).toBe(true);
    // Substitution made a new object for this one: the written config is not the checked one.
    expect(cache.substitutesToItself(env!.config)).toBe(false);
    const compiled = compileFlow(validated.document!, {
      registry,
      processEnv: {},
      defaultQueueCapacity: 10,
      parseConfig: (def, config) => cache.parseFor(def.config, config),
      substitutesToItself: (config) => cache.substitutesToItself(config),
    });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
    expect((compiled.flow.nodes.get('env')!.config as { level: number }).level).toBe(3);
    expect((compiled.flow.nodes.get('plain')!.config as { level: number }).level).toBe(1);
  });

  it('asks the schema again in a new cache (one deploy each)', () => {
    const { type, counter } = countingType();
    const registry = createRegistry([type]);
    new ConfigParseCache(registry).parseFor(type.config, { level: 1 });
    new ConfigParseCache(registry).parseFor(type.config, { level: 1 });
    expect(counter.parses).toBe(2);
  });
});
