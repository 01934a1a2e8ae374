/**
 * Where the mouse last was over the canvas (screen coordinates), so a paste lands under it.
 * A plain module value, not state: it changes on every mouse move and nothing renders from it.
 */
export const canvasPointer: { client: { x: number; y: number } | undefined } = { client: undefined };
