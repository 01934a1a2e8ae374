import { canonicalStringify } from '@plantwire/flow';
import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { canvasPointer } from '../canvas/canvas-pointer.js';
import { useEditor } from '../store/editor.js';
import { downloadText, flowFileName } from '../toolbar/download.js';
import { matchShortcut, type Command } from './shortcut-table.js';

/** Typing in a field (or the code editor) keeps its keys; shortcuts apply to the canvas and the page. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return target.closest('.cm-editor') !== null;
}

/** Key presses and clipboard events → store actions, from the one shortcut table. */
export function useShortcuts(): void {
  const flow = useReactFlow();
  useEffect(() => {
    const st = useEditor.getState;
    const run = (command: Command): boolean => {
      const dialogOpen = st().helpOpen || st().importOpen;
      if (dialogOpen && command !== 'deselect' && command !== 'help') return false;
      switch (command) {
        case 'undo': st().undo(); return true;
        case 'redo': st().redo(); return true;
        case 'duplicate': st().duplicate(); return true;
        case 'delete': st().deleteSelection(); return true;
        case 'selectAll': st().selectAll(); return true;
        case 'deselect':
          if (st().helpOpen) st().toggle('helpOpen');
          else if (st().importOpen) st().toggle('importOpen');
          else st().clearSelection();
          return true;
        case 'fitView': void flow.fitView({ padding: 0.15, duration: 200 }); return true;
        case 'zoomIn': void flow.zoomIn({ duration: 150 }); return true;
        case 'zoomOut': void flow.zoomOut({ duration: 150 }); return true;
        case 'autoLayout': st().layoutSelection(); return true;
        case 'toggleSnap': st().toggle('snapToGrid'); return true;
        case 'toggleMinimap': st().toggle('minimap'); return true;
        case 'toggleDebug': st().toggle('debugOpen'); return true;
        case 'deploy': void st().deploy(); return true;
        case 'help': st().toggle('helpOpen'); return true;
        case 'import': st().toggle('importOpen'); return true;
        case 'export': downloadText(flowFileName(st().doc.name), canonicalStringify(st().doc)); return true;
        // Handled by the clipboard events below, so the system clipboard is used.
        case 'copy': case 'cut': case 'paste': return false;
      }
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (st().phase !== 'ready' || isEditable(event.target)) return;
      const command = matchShortcut(event);
      if (command !== undefined && run(command)) event.preventDefault();
    };
    const onCopy = (event: ClipboardEvent) => {
      if (st().phase !== 'ready' || isEditable(event.target) || hasTextSelection()) return;
      const text = event.type === 'cut' ? st().cut() : st().copy();
      if (text === undefined) return;
      event.clipboardData?.setData('text/plain', text);
      event.preventDefault();
    };
    const onPaste = (event: ClipboardEvent) => {
      if (st().phase !== 'ready' || isEditable(event.target)) return;
      const text = event.clipboardData?.getData('text/plain');
      const at = canvasPointer.client ? flow.screenToFlowPosition(canvasPointer.client) : undefined;
      if (st().paste(text !== undefined && text !== '' ? text : undefined, at)) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [flow]);
}

function hasTextSelection(): boolean {
  const selection = window.getSelection();
  return selection !== null && !selection.isCollapsed && selection.toString() !== '';
}
