import { expect, it } from 'vitest';
import { envLookup } from './env-lookup.js';

const doc = {
  env: { SITE: 'plant-a', LINE: '3' },
  tabs: [
    { id: 'line-4', label: 'Line 4', env: { LINE: '4' } },
    { id: 'packing', label: 'Packing' },
  ],
};
const processEnv = { SITE: 'from-process', HOST: 'edge-1', LINE: '0' };

it('layers process env < document env < tab env', () => {
  const onLine4 = envLookup(doc, 'line-4', processEnv);
  expect(['LINE', 'SITE', 'HOST', 'NOPE'].map(onLine4)).toEqual(['4', 'plant-a', 'edge-1', undefined]);
  const onPacking = envLookup(doc, 'packing', processEnv);
  expect(['LINE', 'SITE', 'HOST'].map(onPacking)).toEqual(['3', 'plant-a', 'edge-1']);
  const noTab = envLookup(doc, undefined, processEnv);
  expect(noTab('LINE')).toBe('3');
  expect(envLookup(doc, 'unknown-tab')('LINE')).toBe('3');
});

it('works without any env and ignores the prototype', () => {
  const lookup = envLookup({}, undefined);
  expect(lookup('constructor')).toBeUndefined();
  expect(lookup('toString')).toBeUndefined();
  expect(envLookup({}, undefined, { PATH: '/bin' })('PATH')).toBe('/bin');
});
