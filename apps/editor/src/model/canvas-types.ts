import type { HandleBox } from './node-geometry.js';

/**
 * The canvas's view of a document, shaped as @xyflow/react wants its nodes and edges but declared
 * here without importing it, so the model stays framework-free (STYLE.md habit 6).
 */

/** What a canvas node carries: plain data, never functions (live status and counters are read per node from the live store). */
export interface PwNodeData {
  readonly nodeType: string;
  readonly label: string;
  /** The node's config breaks its schema, or the last deploy reported an error for it. */
  readonly invalid: boolean;
  /** First problem, for the marker's tooltip. */
  readonly problem: string | undefined;
  readonly disabled: boolean;
  [key: string]: unknown;
}

export interface CanvasNode {
  readonly id: string;
  readonly type: 'pw';
  readonly position: { readonly x: number; readonly y: number };
  readonly data: PwNodeData;
  readonly selected?: boolean;
  readonly dragging?: boolean;
  readonly measured?: { readonly width?: number; readonly height?: number };
  readonly width?: number;
  readonly height?: number;
  /** Handle boxes known before measuring (see `nodeGeometry`). */
  readonly handles?: HandleBox[];
}

export interface CanvasEdge {
  readonly id: string;
  readonly type: 'pw';
  readonly source: string;
  readonly sourceHandle: string;
  readonly target: string;
  readonly targetHandle: string;
  readonly selected?: boolean;
}
