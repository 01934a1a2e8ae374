import { describe, expect, it } from 'vitest';
import { matchShortcut } from './shortcut-table.js';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean; code: string }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('matchShortcut', () => {
  it('maps the usual editing keys', () => {
    expect(matchShortcut(key('z', { ctrlKey: true }))).toBe('undo');
    expect(matchShortcut(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(matchShortcut(key('z', { metaKey: true }))).toBe('undo');
    expect(matchShortcut(key('d', { ctrlKey: true }))).toBe('duplicate');
    expect(matchShortcut(key('Delete'))).toBe('delete');
    expect(matchShortcut(key('?', { shiftKey: true }))).toBe('help');
    expect(matchShortcut(key('!', { shiftKey: true, code: 'Digit1' }))).toBe('fitView');
  });

  it('does not fire without the modifier, or with alt', () => {
    expect(matchShortcut(key('z'))).toBeUndefined();
    expect(matchShortcut(key('z', { ctrlKey: true, altKey: true }))).toBeUndefined();
    expect(matchShortcut(key('d', { ctrlKey: true, shiftKey: true }))).toBe('toggleDebug');
  });
});
