import { readFile } from 'node:fs/promises';
import { describeValue, formatJsonPath, parseDocumentText, schemaIssues, type ValidationIssue } from '@plantwire/flow';
import * as z from 'zod';
import defaultScenarioJson from '../scenarios/default.plant.json' with { type: 'json' };

// Names end up in OPC UA NodeIds, MQTT topics and tag paths (`Line1/Machine1/Temperature`),
// so they are kept to characters that need no escaping in any of them.
const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a name made of letters, digits and "_", starting with a letter');
const positive = z.number().positive();

const constantSignal = z.strictObject({
  kind: z.literal('constant'),
  value: z.number(),
});
const rampSignal = z.strictObject({
  kind: z.literal('ramp'),
  from: z.number(),
  to: z.number(),
  /** Seconds for one rise from `from` to `to`. */
  periodS: positive,
  /** `sawtooth` jumps back to `from` after each period; `triangle` walks back down. */
  shape: z.enum(['sawtooth', 'triangle']).default('sawtooth'),
});
const sineSignal = z.strictObject({
  kind: z.literal('sine'),
  amplitude: z.number(),
  periodS: positive,
  offset: z.number().default(0),
  phaseDeg: z.number().default(0),
});
const noiseSignal = z.strictObject({
  kind: z.literal('noise'),
  /** Uniform noise in [-amplitude, +amplitude], a new draw every sample period. */
  amplitude: z.number().nonnegative(),
});
const counterSignal = z.strictObject({
  kind: z.literal('counter'),
  ratePerS: z.number().nonnegative(),
  start: z.number().int().nonnegative().default(0),
  /** The counter rolls over to 0 here, like a PLC's uint32 counter. */
  wrapAt: z.number().int().positive().default(2 ** 32),
});
const stepSignal = z.strictObject({
  kind: z.literal('step'),
  levels: z.array(z.number()).min(1),
  holdS: positive,
});

/** One signal generator; a tag's signal is one of these or a list of them, summed. */
export const signalSpecSchema = z.discriminatedUnion('kind', [
  constantSignal,
  rampSignal,
  sineSignal,
  noiseSignal,
  counterSignal,
  stepSignal,
]);
/** A parsed signal generator (defaults applied). */
export type SignalSpec = z.output<typeof signalSpecSchema>;

const modbusBinding = z.strictObject({
  unit: z.number().int().min(1).max(247),
  table: z.enum(['holding', 'input', 'coil', 'discrete']),
  address: z.number().int().min(0).max(65535),
  /** Default: `bool` in coil/discrete; in registers `float32` for float tags, `int32`/`uint32` for int/uint, `uint16` otherwise. */
  type: z.enum(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32']).optional(),
  /** Register value = engineering value × scale (integer types are rounded). */
  scale: z.number().refine((v) => v !== 0, 'scale must not be 0').default(1),
  /** Order of the two 16-bit words of a 32-bit value. Default: the scenario's `modbus.wordOrder`. */
  wordOrder: z.enum(['ABCD', 'CDAB']).optional(),
});

const tagSchema = z.strictObject({
  name,
  /** float → OPC UA Double, int → Int32, uint → UInt32, bool → Boolean, enum → String (the state name). */
  type: z.enum(['float', 'int', 'uint', 'bool', 'enum']),
  description: z.string().optional(),
  unit: z.string().min(1).optional(),
  /** Engineering range [low, high]; with `unit` the OPC UA variable becomes an AnalogItem with EURange. */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** State names of an enum tag; the signal selects one by index. */
  values: z.array(z.string().min(1)).min(1).optional(),
  /** How often the value may change. Default: the scenario's `updateMs`. */
  periodMs: z.number().int().min(10).optional(),
  /** Signal values are clamped to [min, max]; setpoint writes outside it are refused. */
  min: z.number().optional(),
  max: z.number().optional(),
  signal: z.union([signalSpecSchema, z.array(signalSpecSchema).min(1)]).optional(),
  setpoint: z
    .strictObject({
      initial: z.union([z.number(), z.boolean()]),
    })
    .optional(),
  alarm: z
    .strictObject({
      /** Name of a numeric tag of the same machine. */
      source: name,
      above: z.number().optional(),
      below: z.number().optional(),
      message: z.string().min(1),
    })
    .optional(),
  modbus: modbusBinding.optional(),
  /** Whether the tag appears in the OPC UA address space. */
  opcua: z.boolean().default(true),
  mqtt: z
    .strictObject({
      topic: z.string().min(1).refine((t) => !/[+#]/.test(t), 'a publish topic must not contain the wildcards + or #'),
      periodMs: z.number().int().min(10).optional(),
      retain: z.boolean().default(false),
    })
    .optional(),
});

const machineSchema = z.strictObject({
  name,
  description: z.string().optional(),
  tags: z.array(tagSchema).min(1),
});

const lineSchema = z.strictObject({
  name,
  machines: z.array(machineSchema).min(1),
});

const faultSchema = z.strictObject({
  device: z.string().regex(/^(mqtt|modbus|opcua|modbus-unit-\d+)$/, 'expected "mqtt", "modbus", "opcua" or "modbus-unit-<id>"'),
  /** Seconds after the plant is ready (when `startPlant` resolves). */
  at: z.number().nonnegative(),
  durationS: positive,
  kind: z.literal('silent'),
});

const userSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
});

const scenarioObject = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  name: z.string().optional(),
  description: z.string().optional(),
  site: name,
  area: name,
  /** Seed of the noise generators: the same seed gives the same values at the same plant time. */
  seed: z.number().int().default(1),
  updateMs: z.number().int().min(10).default(100),
  lines: z.array(lineSchema).min(1),
  modbus: z
    .strictObject({
      wordOrder: z.enum(['ABCD', 'CDAB']).default('CDAB'),
      /** Registers (and bits) per table per unit; reads beyond answer exception 2 (illegal data address). */
      tableSize: z.number().int().min(1).max(65536).default(1000),
    })
    .default({ wordOrder: 'CDAB', tableSize: 1000 }),
  opcua: z
    .strictObject({
      namespaceUri: z.string().min(1).default('urn:plantwire:sim'),
      /** Username/password logins accepted besides anonymous. Use obviously fake values: this is a simulator. */
      users: z.array(userSchema).default([]),
    })
    .default({ namespaceUri: 'urn:plantwire:sim', users: [] }),
  faults: z.array(faultSchema).default([]),
});

/** Registers a Modbus value type occupies. */
export function modbusWidth(type: ModbusValueType): number {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1;
}

/** The Modbus value types a binding can use. */
export type ModbusValueType = NonNullable<z.output<typeof modbusBinding>['type']>;

/** The value type a tag's Modbus binding resolves to once defaults are applied. */
export function modbusTypeOf(tag: Pick<ScenarioTag, 'type' | 'modbus'>): ModbusValueType {
  const binding = tag.modbus;
  if (binding?.type) return binding.type;
  if (binding && (binding.table === 'coil' || binding.table === 'discrete')) return 'bool';
  switch (tag.type) {
    case 'float':
      return 'float32';
    case 'int':
      return 'int32';
    case 'uint':
      return 'uint32';
    default:
      return 'uint16';
  }
}

type Ctx = z.RefinementCtx;

function checkScenario(s: z.output<typeof scenarioObject>, ctx: Ctx): void {
  const units = new Set<number>();
  // (unit, table) → occupied address → tag path, for overlap errors that name the other tag.
  const occupied = new Map<string, Map<number, string>>();
  unique(s.lines, ['lines'], ctx);
  s.lines.forEach((line, li) => {
    unique(line.machines, ['lines', li, 'machines'], ctx);
    line.machines.forEach((machine, mi) => {
      const base = ['lines', li, 'machines', mi, 'tags'];
      unique(machine.tags, base, ctx);
      const byName = new Map(machine.tags.map((t) => [t.name, t]));
      machine.tags.forEach((tag, ti) => {
        const at = [...base, ti];
        checkTag(tag, at, byName, ctx);
        if (tag.alarm && byName.has(`${tag.name}Message`)) {
          ctx.addIssue({ code: 'custom', path: [...at, 'name'], message: `alarm tag "${tag.name}" also publishes "${tag.name}Message", which is already a tag of this machine` });
        }
        if (tag.modbus) {
          units.add(tag.modbus.unit);
          const type = modbusTypeOf(tag);
          const bitTable = tag.modbus.table === 'coil' || tag.modbus.table === 'discrete';
          if (bitTable !== (type === 'bool')) {
            ctx.addIssue({
              code: 'custom',
              path: [...at, 'modbus', 'type'],
              message: bitTable ? `a ${tag.modbus.table} holds one bit: type must be "bool"` : `"bool" fits only coil or discrete tables; use uint16 for a register`,
            });
            return;
          }
          if (bitTable && tag.type !== 'bool') {
            ctx.addIssue({ code: 'custom', path: [...at, 'modbus', 'table'], message: `a ${tag.type} tag cannot live in a ${tag.modbus.table} (one bit); use a register table` });
            return;
          }
          const width = modbusWidth(type);
          if (tag.modbus.address + width - 1 > 65535) {
            ctx.addIssue({ code: 'custom', path: [...at, 'modbus', 'address'], message: `a ${type} needs ${width} registers and runs past address 65535` });
            return;
          }
          if (tag.modbus.address + width > s.modbus.tableSize) {
            ctx.addIssue({ code: 'custom', path: [...at, 'modbus', 'address'], message: `outside the table: modbus.tableSize is ${s.modbus.tableSize}` });
            return;
          }
          const key = `${tag.modbus.unit}/${tag.modbus.table}`;
          const used = occupied.get(key) ?? new Map<number, string>();
          occupied.set(key, used);
          const path = `${line.name}/${machine.name}/${tag.name}`;
          for (let a = tag.modbus.address; a < tag.modbus.address + width; a++) {
            const other = used.get(a);
            if (other !== undefined) {
              ctx.addIssue({ code: 'custom', path: [...at, 'modbus', 'address'], message: `${tag.modbus.table} address ${a} of unit ${tag.modbus.unit} is already used by ${other}` });
              return;
            }
          }
          for (let a = tag.modbus.address; a < tag.modbus.address + width; a++) used.set(a, path);
        }
      });
    });
  });
  s.faults.forEach((fault, fi) => {
    const unit = /^modbus-unit-(\d+)$/.exec(fault.device);
    if (unit && !units.has(Number(unit[1]))) {
      const known = [...units].sort((a, b) => a - b).map((u) => `modbus-unit-${u}`);
      ctx.addIssue({ code: 'custom', path: ['faults', fi, 'device'], message: `no tag is bound to Modbus unit ${unit[1]}; known units: ${known.join(', ') || 'none'}` });
    }
  });
}

function checkTag(tag: ScenarioTag, at: (string | number)[], byName: Map<string, ScenarioTag>, ctx: Ctx): void {
  const sources = (['signal', 'setpoint', 'alarm'] as const).filter((k) => tag[k] !== undefined);
  if (sources.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: at,
      message: sources.length === 0 ? `tag "${tag.name}" needs one of "signal", "setpoint" or "alarm"` : `tag "${tag.name}" has ${sources.join(' and ')}; give exactly one`,
    });
  }
  if (tag.type === 'enum' && !tag.values) ctx.addIssue({ code: 'custom', path: [...at, 'values'], message: 'an enum tag needs "values" (its state names)' });
  if (tag.type !== 'enum' && tag.values) ctx.addIssue({ code: 'custom', path: [...at, 'values'], message: 'only an enum tag has "values"' });
  if (tag.min !== undefined && tag.max !== undefined && tag.min > tag.max) {
    ctx.addIssue({ code: 'custom', path: [...at, 'max'], message: `max (${tag.max}) is below min (${tag.min})` });
  }
  if (tag.setpoint) {
    const initial = tag.setpoint.initial;
    if (tag.type === 'enum') ctx.addIssue({ code: 'custom', path: [...at, 'setpoint'], message: 'an enum tag cannot be a setpoint' });
    else if (tag.type === 'bool' && typeof initial !== 'boolean') ctx.addIssue({ code: 'custom', path: [...at, 'setpoint', 'initial'], message: 'a bool setpoint starts at true or false' });
    else if (tag.type !== 'bool' && typeof initial !== 'number') ctx.addIssue({ code: 'custom', path: [...at, 'setpoint', 'initial'], message: `a ${tag.type} setpoint starts at a number` });
    else if (typeof initial === 'number' && ((tag.min !== undefined && initial < tag.min) || (tag.max !== undefined && initial > tag.max))) {
      ctx.addIssue({ code: 'custom', path: [...at, 'setpoint', 'initial'], message: `outside [${tag.min ?? '-∞'}, ${tag.max ?? '∞'}]` });
    }
  }
  if (tag.alarm) {
    if (tag.type !== 'bool') ctx.addIssue({ code: 'custom', path: [...at, 'type'], message: 'an alarm tag is a bool' });
    if (tag.alarm.above === undefined && tag.alarm.below === undefined) {
      ctx.addIssue({ code: 'custom', path: [...at, 'alarm'], message: 'an alarm needs "above" or "below"' });
    }
    const source = byName.get(tag.alarm.source);
    if (!source) {
      ctx.addIssue({ code: 'custom', path: [...at, 'alarm', 'source'], message: `no tag "${tag.alarm.source}" on this machine; known: ${[...byName.keys()].join(', ')}` });
    } else if (source.type === 'bool' || source.type === 'enum' || source.alarm) {
      ctx.addIssue({ code: 'custom', path: [...at, 'alarm', 'source'], message: `"${tag.alarm.source}" is not a numeric measurement` });
    }
  }
}

function unique(items: readonly { name: string }[], path: (string | number)[], ctx: Ctx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) ctx.addIssue({ code: 'custom', path: [...path, i, 'name'], message: `duplicate name "${item.name}"` });
    seen.add(item.name);
  });
}

/**
 * The zod schema of a plant scenario file (`*.plant.json`). Beyond the shape it checks names are
 * unique, every tag has exactly one value source, alarms point at a numeric tag of their machine,
 * Modbus bindings fit their table and do not overlap, and faults name a known device.
 */
export const plantScenarioSchema = scenarioObject.superRefine(checkScenario);

/** A parsed, validated plant scenario (defaults applied). */
export type PlantScenario = z.output<typeof plantScenarioSchema>;
/** A scenario as written in JSON, before defaults. */
export type PlantScenarioInput = z.input<typeof plantScenarioSchema>;
/** One tag of a scenario machine. */
export type ScenarioTag = z.output<typeof tagSchema>;
/** A scripted fault of a scenario. */
export type ScenarioFault = z.output<typeof faultSchema>;

/** Thrown for a scenario that does not parse or validate; `issues` has every problem with its JSON path. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly code = 'SCENARIO_INVALID';
  constructor(
    readonly issues: readonly ValidationIssue[],
    readonly source = 'scenario',
  ) {
    super(`invalid plant scenario (${source}):\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

/**
 * Validate a scenario value (parsed JSON) and apply defaults.
 *
 * @param source names the scenario in the error message, e.g. the file path.
 * @throws {ScenarioError} listing every problem as `$.lines[0].machines[1].tags[2].signal.periodS: …`.
 * @example
 * const scenario = parseScenario(JSON.parse(text), 'line3.plant.json');
 */
export function parseScenario(input: unknown, source?: string): PlantScenario {
  const result = plantScenarioSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ScenarioError(scenarioIssues(result.error.issues, input), source);
}

type ZodIssue = z.core.$ZodIssue;
type Segment = string | number;

// zod reports a failed union as one "Invalid input" at the union; the useful message is inside the
// branch that got furthest (for `signal`, the object branch for an object, the list for a list).
function flattenUnions(issues: readonly ZodIssue[], prefix: readonly Segment[] = []): ZodIssue[] {
  const out: ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((p): p is Segment => typeof p !== 'symbol')];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const depth = (branch: readonly ZodIssue[]): number => Math.max(...branch.map((i) => i.path.length));
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      if (depth(best) > 0 || issue.errors.length === 1) {
        out.push(...flattenUnions(best, path));
        continue;
      }
    }
    out.push({ ...issue, path } as ZodIssue);
  }
  return out;
}

function scenarioIssues(issues: readonly ZodIssue[], input: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of flattenUnions(issues)) {
    const path = issue.path.filter((p): p is Segment => typeof p !== 'symbol');
    const own = (message: string): void => {
      out.push({ severity: 'error', code: 'SCENARIO_INVALID', path: formatJsonPath(path), message });
    };
    if (issue.code === 'custom') own(issue.message);
    else if (issue.code === 'invalid_union' && 'discriminator' in issue) {
      // zod 4 adds `options` to a discriminated union's issue at runtime; its type does not declare it.
      const options: unknown = (issue as { options?: unknown }).options;
      const list = Array.isArray(options) ? ` to be one of ${options.map((o) => JSON.stringify(o)).join(', ')}` : ' to be valid';
      own(`expected "${String(issue.discriminator)}"${list}; got ${describeValue(valueAt(input, path))}`);
    } else if (issue.code === 'invalid_union') own('expected a signal object or a list of signal objects');
    else out.push(...schemaIssues([issue], input, scenarioObject).map((i) => ({ ...i, code: 'SCENARIO_INVALID' })));
  }
  return out;
}

function valueAt(input: unknown, path: readonly Segment[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<Segment, unknown>)[segment];
  }
  return current;
}

/**
 * Read and validate a scenario file (strict JSON).
 *
 * @throws {ScenarioError} for invalid JSON (with line and column) or an invalid scenario.
 * @example
 * const plant = await startPlant({ scenario: await loadScenario('examples/line3.plant.json') });
 */
export async function loadScenario(file: string): Promise<PlantScenario> {
  const text = await readFile(file, 'utf8');
  const parsed = parseDocumentText(text);
  if (!parsed.ok) throw new ScenarioError([parsed.issue], file);
  return parseScenario(parsed.value, file);
}

/**
 * The built-in scenario (`packages/sim/scenarios/default.plant.json`): Line1 with Machine1 on
 * Modbus unit 1 and Machine2 on unit 2 (same register map), both in OPC UA, and Meter1 on MQTT.
 * A fresh object on every call, so callers may modify their copy.
 */
export function defaultScenario(): PlantScenario {
  return parseScenario(structuredClone(defaultScenarioJson), 'default.plant.json');
}

/** The `Line/Machine/Tag` path of a tag, the key of `plant.tags()`. */
export function tagPath(line: string, machine: string, tag: string): string {
  return `${line}/${machine}/${tag}`;
}
