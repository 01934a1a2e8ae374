/** Editor commands a key can run. */
export type Command =
  | 'undo' | 'redo' | 'copy' | 'cut' | 'paste' | 'duplicate' | 'delete' | 'selectAll' | 'deselect'
  | 'fitView' | 'zoomIn' | 'zoomOut' | 'autoLayout' | 'toggleSnap' | 'deploy' | 'help' | 'import' | 'export'
  | 'toggleDebug' | 'toggleMinimap';

export interface Shortcut {
  /** As shown in the help overlay; `Mod` is Ctrl (⌘ on macOS). */
  readonly keys: string;
  readonly command: Command;
  readonly description: string;
}

/**
 * Every shortcut, once: the key handler matches against it and the help overlay lists it.
 * Copy, cut and paste are listed but run from the browser's clipboard events (so the system
 * clipboard works without a permission prompt).
 */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Mod+Z', command: 'undo', description: 'Undo' },
  { keys: 'Mod+Shift+Z', command: 'redo', description: 'Redo' },
  { keys: 'Mod+Y', command: 'redo', description: 'Redo' },
  { keys: 'Mod+C', command: 'copy', description: 'Copy the selection (as JSON, also to the system clipboard)' },
  { keys: 'Mod+X', command: 'cut', description: 'Cut the selection' },
  { keys: 'Mod+V', command: 'paste', description: 'Paste nodes (or a flow document) from the clipboard' },
  { keys: 'Mod+D', command: 'duplicate', description: 'Duplicate the selection' },
  { keys: 'Delete', command: 'delete', description: 'Delete the selected nodes and wires' },
  { keys: 'Backspace', command: 'delete', description: 'Delete the selected nodes and wires' },
  { keys: 'Mod+A', command: 'selectAll', description: 'Select every node on this tab' },
  { keys: 'Escape', command: 'deselect', description: 'Clear the selection, close dialogs' },
  { keys: 'Shift+1', command: 'fitView', description: 'Fit the flow in view' },
  { keys: '+', command: 'zoomIn', description: 'Zoom in' },
  { keys: '-', command: 'zoomOut', description: 'Zoom out' },
  { keys: 'Mod+Shift+L', command: 'autoLayout', description: 'Auto-layout the selection (or the whole tab)' },
  { keys: 'Mod+Shift+G', command: 'toggleSnap', description: 'Snap to grid on/off' },
  { keys: 'Mod+Shift+M', command: 'toggleMinimap', description: 'Minimap on/off' },
  { keys: 'Mod+Shift+D', command: 'toggleDebug', description: 'Show/hide the debug sidebar' },
  { keys: 'Mod+S', command: 'deploy', description: 'Deploy' },
  { keys: 'Mod+I', command: 'import', description: 'Import a flow' },
  { keys: 'Mod+E', command: 'export', description: 'Export the working copy' },
  { keys: '?', command: 'help', description: 'Show this list' },
];

/** The parts of a KeyboardEvent the matcher reads (a plain object in tests). */
export interface KeyLike {
  readonly key: string;
  readonly code?: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

function parse(keys: string): { mod: boolean; shift: boolean; key: string } {
  const parts = keys.split('+');
  // '+' alone is the key itself.
  const key = keys === '+' ? '+' : parts[parts.length - 1]!;
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), key };
}

/** The command a key press runs, or undefined. Shift is implied by printable keys like `?` and `+`. */
export function matchShortcut(event: KeyLike, table: readonly Shortcut[] = SHORTCUTS): Command | undefined {
  if (event.altKey) return undefined;
  const mod = event.ctrlKey || event.metaKey;
  for (const shortcut of table) {
    const want = parse(shortcut.keys);
    if (want.mod !== mod) continue;
    const printable = want.key.length === 1 && !/[a-z0-9]/i.test(want.key);
    if (printable) {
      if (event.key === want.key) return shortcut.command;
      continue;
    }
    if (want.shift !== event.shiftKey) continue;
    // Shift+1 gives `!` as key on a US layout; the physical key (code) is what was meant.
    if (/^[0-9]$/.test(want.key) && event.code === `Digit${want.key}`) return shortcut.command;
    if (event.key.toLowerCase() === want.key.toLowerCase()) return shortcut.command;
  }
  return undefined;
}
