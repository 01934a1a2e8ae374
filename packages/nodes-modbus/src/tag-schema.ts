import * as z from 'zod';
import { isBitArea, MODBUS_AREAS, MODBUS_VALUE_TYPES, registerCount, type ModbusArea, type ModbusValueType } from './codec.js';
import { MAX_READ_BITS, MAX_READ_REGISTERS } from './request-plan.js';

/** Word order of multi-register values: `ABCD` high word first, `CDAB` low word first. */
export const wordOrderSchema = z.enum(['ABCD', 'CDAB']).meta({
  title: 'Word order',
  description: '`ABCD`: high word first (Modbus convention). `CDAB`: low word first ("word swap"). For 64-bit values `CDAB` reverses all four words.',
});

/** Byte order inside each register: `AB` high byte first (Modbus convention), `BA` swapped. */
export const byteOrderSchema = z.enum(['AB', 'BA']).meta({
  title: 'Byte order',
  description: '`AB`: high byte of each register first (Modbus convention). `BA`: the two bytes of each register swapped (with word order: `BADC`, `DCBA`).',
});

/** A Modbus unit id (slave id). 0 is broadcast on serial lines; gateways use it too. */
export const unitIdSchema = z.int().min(0).max(255).meta({ title: 'Unit id', description: 'Modbus unit (slave) id, 0–255.' });

/**
 * One tag of a register map: a named value at an address of a table of a unit. Engineering value
 * = raw × `scale` + `offset`.
 */
export const modbusTagSchema = z
  .object({
    name: z.string().min(1).meta({ title: 'Name', description: 'The tag name: the payload key (poll mode) or the topic (changes mode).', examples: ['Line1/Machine1/Temperature'] }),
    area: z.enum(MODBUS_AREAS).default('holding').meta({
      title: 'Table',
      description: '`holding` (FC3, writes FC6/16), `input` (FC4), `coil` (FC1, writes FC5/15) or `discrete` (FC2).',
    }),
    address: z.int().min(0).max(65535).meta({ title: 'Address', description: '0-based protocol (PDU) address; a 1-based reference 40001 is address 0.' }),
    type: z.enum(MODBUS_VALUE_TYPES).optional().meta({
      title: 'Type',
      description: 'Value type. Default: `bool` in coil/discrete, `uint16` in registers. 32-bit types take 2 registers, 64-bit 4, `string` ⌈length/2⌉.',
    }),
    length: z.int().min(1).optional().meta({ title: 'String length', description: 'Bytes of a `string` tag (two per register), NUL-padded.' }),
    wordOrder: wordOrderSchema.optional(),
    byteOrder: byteOrderSchema.optional(),
    scale: z.number().refine((v) => v !== 0, 'scale must not be 0').default(1).meta({ title: 'Scale', description: 'Engineering value = raw × scale + offset.' }),
    offset: z.number().default(0).meta({ title: 'Offset' }),
    unit: z.string().optional().meta({ title: 'Unit of measure', examples: ['degC'] }),
    deadband: z.number().min(0).default(0).meta({ title: 'Deadband', description: 'In `changes` mode, a numeric value is reported when it moved by more than this since the last report (0: any change).' }),
    unitId: unitIdSchema.optional().meta({ title: 'Unit id', description: "Overrides the device's default unit id." }),
  })
  .strict();

export type ModbusTag = z.output<typeof modbusTagSchema>;

/** A tag a modbus-write node may write: a read tag without the deadband, named by `msg.topic`. */
export const modbusWriteTagSchema = modbusTagSchema.omit({ deadband: true }).extend({
  name: z.string().min(1).meta({ title: 'Name', description: 'The tag name; a message selects the tag with `msg.topic`.', examples: ['Line1/Machine1/Setpoint'] }),
});

export type ModbusWriteTag = z.output<typeof modbusWriteTagSchema>;

/** What the register-map checks need of a tag (read or write). */
export type RegisterMapTag = Omit<ModbusTag, 'deadband'>;

/** The value type of a tag, its default resolved (`bool` in bit tables, else `uint16`). */
export function tagType(tag: { readonly type?: ModbusValueType | undefined; readonly area: ModbusArea }): ModbusValueType {
  return tag.type ?? (isBitArea(tag.area) ? 'bool' : 'uint16');
}

/** Registers (or bits) a tag spans; 0 when its layout is invalid (a string without length). */
export function tagSpan(tag: Pick<RegisterMapTag, 'type' | 'area' | 'length'>): number {
  const type = tagType(tag);
  if (type === 'string' && !tag.length) return 0;
  return registerCount({ type, length: tag.length });
}

const AREA_TITLES: Record<ModbusArea, string> = { holding: 'holding register', input: 'input register', coil: 'coil', discrete: 'discrete input' };

/** Options of {@link registerMapIssues}. */
export interface RegisterMapRules {
  /** Tags are written (modbus-write): input registers and discrete inputs are refused. */
  readonly writable?: boolean;
}

/** One problem of a register map: the index of the tag, the field, and a message naming the tag. */
export interface RegisterMapIssue {
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

/**
 * Every problem of a list of tags, each naming the tag by name and index: duplicate names, a
 * `string` without length, a type that does not fit the table (anything but `bool` in a coil or
 * discrete input), an address range past 65535, a tag larger than one request, and tags of one unit
 * and table that overlap. Tags without a `unitId` are on the device's default unit: they are
 * checked against each other, not against tags with an explicit id (which may be the same unit).
 */
export function registerMapIssues(tags: readonly RegisterMapTag[], rules: RegisterMapRules = {}): RegisterMapIssue[] {
  const issues: RegisterMapIssue[] = [];
  const label = (i: number) => `tags[${i}] "${tags[i]!.name}"`;
  const names = new Map<string, number>();
  const placed: Array<{ index: number; key: string; start: number; end: number }> = [];
  tags.forEach((tag, index) => {
    const first = names.get(tag.name);
    if (first !== undefined) issues.push({ index, field: 'name', message: `${label(index)}: the name is already used by tags[${first}]` });
    else names.set(tag.name, index);

    const type = tagType(tag);
    if (isBitArea(tag.area) && type !== 'bool') {
      issues.push({ index, field: 'type', message: `${label(index)}: a ${AREA_TITLES[tag.area]} holds one bit; type ${type} does not fit (use bool, or a holding/input register)` });
      return;
    }
    if (rules.writable && (tag.area === 'input' || tag.area === 'discrete')) {
      issues.push({ index, field: 'area', message: `${label(index)}: ${AREA_TITLES[tag.area]}s are read-only; write to a holding register or a coil` });
    }
    if (type === 'string' && !tag.length) {
      issues.push({ index, field: 'length', message: `${label(index)}: a string tag needs a length (bytes)` });
      return;
    }
    const span = tagSpan(tag);
    const last = tag.address + span - 1;
    if (last > 65535) {
      issues.push({ index, field: 'address', message: `${label(index)}: ${type} at ${tag.address} spans ${span} registers up to ${last}, past the last address 65535` });
      return;
    }
    const limit = isBitArea(tag.area) ? MAX_READ_BITS : MAX_READ_REGISTERS;
    if (span > limit) {
      issues.push({ index, field: 'length', message: `${label(index)}: spans ${span} registers, more than one request may read (${limit})` });
      return;
    }
    const key = `${tag.unitId ?? 'default'}/${tag.area}`;
    for (const other of placed) {
      if (other.key === key && tag.address <= other.end && other.start <= last) {
        const unit = tag.unitId === undefined ? "the device's default unit" : `unit ${tag.unitId}`;
        issues.push({
          index,
          field: 'address',
          message: `${label(index)}: ${AREA_TITLES[tag.area]} ${rangeText(tag.address, last)} of ${unit} overlaps ${label(other.index)} at ${rangeText(other.start, other.end)}`,
        });
        break;
      }
    }
    placed.push({ index, key, start: tag.address, end: last });
  });
  return issues;
}

function rangeText(start: number, end: number): string {
  return start === end ? String(start) : `${start}–${end}`;
}

/**
 * A zod array of tags whose issues ({@link registerMapIssues}) are reported at
 * `tags[i].<field>`, so deploy fails with CONFIG_INVALID naming the tag.
 */
export function registerMapSchema(): z.ZodArray<typeof modbusTagSchema>;
export function registerMapSchema(rules: RegisterMapRules & { writable: true }): z.ZodArray<typeof modbusWriteTagSchema>;
export function registerMapSchema(rules: RegisterMapRules = {}): z.ZodArray<typeof modbusTagSchema> | z.ZodArray<typeof modbusWriteTagSchema> {
  return z
    .array(rules.writable ? modbusWriteTagSchema : modbusTagSchema)
    .min(1)
    .superRefine((tags, ctx) => {
      for (const issue of registerMapIssues(tags, rules)) ctx.addIssue({ code: 'custom', path: [issue.index, issue.field], message: issue.message });
    });
}
