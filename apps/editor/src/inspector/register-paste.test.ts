import { describe, expect, it } from 'vitest';
import { parseRegisterPaste } from './register-paste.js';
import { configFields, type ListField, type ObjectField } from './schema-fields.js';
import { nodeManifest } from './node-types.fixture.js';

const tagItem = (configFields(nodeManifest('modbus-read').configSchema).fields.find((e) => e.key === 'tags')!.field as ListField).item as ObjectField;

describe('parseRegisterPaste', () => {
  it('reads a spreadsheet selection with a header row naming columns by title or key', () => {
    const text = 'Name\tTable\tAddress\tType\tScale\tunit\nLine1/Temp\tHolding\t0\tfloat32\t0,1\tdegC\nLine1/Count\tinput\t10\tuint32\t\t\n';
    expect(parseRegisterPaste(text, tagItem)).toEqual({
      rows: [
        { name: 'Line1/Temp', area: 'holding', address: 0, type: 'float32', scale: 0.1, unit: 'degC' },
        { name: 'Line1/Count', area: 'input', address: 10, type: 'uint32' },
      ],
      problems: [],
    });
  });

  it('takes the table order without a header and says which cells it could not read', () => {
    const result = parseRegisterPaste('a;coil;5\nb;holdings;x', tagItem);
    expect(result.rows).toEqual([{ name: 'a', area: 'coil', address: 5 }, { name: 'b' }]);
    expect(result.problems).toEqual(['line 2, Table: "holdings" is not one of holding, input, coil, discrete', 'line 2, Address: "x" is not a whole number']);
  });
});
