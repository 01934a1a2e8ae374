import { IMPLICIT_ERROR_PORT } from '@plantwire/flow';
import type { NodeManifest } from '@plantwire/protocol';

/** Canvas grid step (snap to grid, dropped and pasted positions). */
export const GRID = 20;
export const NODE_WIDTH = 180;
const HEADER = 30;
const PORT_ROW = 18;

/** Output handles drawn on a node: the declared ones, then the implicit error port. */
export function outputHandlesOf(manifest: NodeManifest | undefined): string[] {
  const outputs = manifest ? Object.keys(manifest.outputs) : [];
  return outputs.includes(IMPLICIT_ERROR_PORT) ? outputs : [...outputs, IMPLICIT_ERROR_PORT];
}

export function inputHandlesOf(manifest: NodeManifest | undefined): string[] {
  return manifest ? Object.keys(manifest.inputs) : [];
}

/** A node's drawn size, known without the DOM (auto-layout and minimap need it before measuring). */
export function nodeSize(manifest: NodeManifest | undefined): { width: number; height: number } {
  const rows = Math.max(1, inputHandlesOf(manifest).length, outputHandlesOf(manifest).length);
  return { width: NODE_WIDTH, height: HEADER + rows * PORT_ROW + 6 };
}

/** Vertical offset (px from the node's top) of the port row `index`. */
export function portOffset(index: number): number {
  return HEADER + index * PORT_ROW + PORT_ROW / 2;
}

export function snap(value: number, grid = GRID): number {
  return Math.round(value / grid) * grid;
}

/** A handle's box relative to its node, as @xyflow/react's `node.handles` takes it. */
export interface HandleBox {
  readonly id: string;
  readonly type: 'source' | 'target';
  readonly position: 'left' | 'right';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const HANDLE = 9;
const ERROR_HANDLE = 7;

/**
 * Size and handle boxes of a node, known without the DOM. Handing them to the canvas lets it draw
 * wires and skip off-screen nodes before measuring them, so a 2,000-node flow renders only what is
 * in view when it opens (the CSS in styles/app.css draws handles at exactly these places).
 */
export function nodeGeometry(manifest: NodeManifest | undefined): { width: number; height: number; handles: HandleBox[] } {
  const { width, height } = nodeSize(manifest);
  const handles: HandleBox[] = [];
  inputHandlesOf(manifest).forEach((id, i) => {
    handles.push({ id, type: 'target', position: 'left', x: -HANDLE / 2, y: portOffset(i) - HANDLE / 2, width: HANDLE, height: HANDLE });
  });
  const declared = manifest ? Object.keys(manifest.outputs) : [];
  outputHandlesOf(manifest).forEach((id, i) => {
    const size = id === IMPLICIT_ERROR_PORT && !declared.includes(id) ? ERROR_HANDLE : HANDLE;
    handles.push({ id, type: 'source', position: 'right', x: width - size / 2, y: portOffset(i) - size / 2, width: size, height: size });
  });
  return { width, height, handles };
}
