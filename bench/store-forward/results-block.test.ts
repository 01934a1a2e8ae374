import { describe, expect, it } from 'vitest';
import { extractStoreForwardBlock, keepStoreForwardBlock, replaceStoreForwardBlock, STORE_FORWARD_BEGIN, STORE_FORWARD_END } from './results-block.js';

describe('store-forward block of RESULTS.md', () => {
  it('appends the block when absent and replaces it in place when present, leaving the rest', () => {
    const once = replaceStoreForwardBlock('# Results\n\nother text\n', 'first');
    expect(once).toBe(`# Results\n\nother text\n\n${STORE_FORWARD_BEGIN}\nfirst\n${STORE_FORWARD_END}\n`);
    const twice = replaceStoreForwardBlock(`${once}\ntrailer\n`, 'second');
    expect(twice).toBe(`# Results\n\nother text\n\n${STORE_FORWARD_BEGIN}\nsecond\n${STORE_FORWARD_END}\n\ntrailer\n`);
  });

  it('drops a stray marker instead of pairing with it', () => {
    const out = replaceStoreForwardBlock(`text ${STORE_FORWARD_END} more`, 'body');
    expect(extractStoreForwardBlock(out)).toBe(`${STORE_FORWARD_BEGIN}\nbody\n${STORE_FORWARD_END}`);
    expect(out.split(STORE_FORWARD_END)).toHaveLength(2);
  });

  it('keeps the block of the previous file when the rest is rendered afresh', () => {
    const previous = replaceStoreForwardBlock('old results', 'figures');
    expect(keepStoreForwardBlock(previous, 'new results')).toBe(`new results\n\n${STORE_FORWARD_BEGIN}\nfigures\n${STORE_FORWARD_END}\n`);
    expect(keepStoreForwardBlock(undefined, 'new results')).toBe('new results');
  });
});
