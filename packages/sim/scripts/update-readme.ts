/**
 * Rewrite the register map in packages/sim/README.md from the default scenario.
 * Run: `npx tsx packages/sim/scripts/update-readme.ts` (register-map.test.ts fails until you do).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { defaultScenario, withRegisterMap } from '../src/index.js';

const file = new URL('../README.md', import.meta.url);
const before = await readFile(file, 'utf8');
const after = withRegisterMap(before, defaultScenario());
if (after === before) console.log('packages/sim/README.md: register map up to date');
else {
  await writeFile(file, after);
  console.log('packages/sim/README.md: register map rewritten');
}
