import { describe, expect, it } from 'vitest';
import { documentToCanvas } from './document-to-canvas.js';
import { fallbackLayout } from './fallback-layout.js';
import { demoDocument } from './fixtures.js';

describe('fallbackLayout', () => {
  it('lays out unplaced nodes along their wires and leaves placed ones alone', () => {
    const doc = demoDocument();
    const { scale: _s, print: _p, publish: _u, ...kept } = doc.layout!.nodes!;
    const partial = { ...doc, layout: { nodes: kept } };
    const fallback = fallbackLayout(partial, () => ({ width: 180, height: 50 }));
    expect([...fallback.keys()].sort()).toEqual(['print', 'publish', 'scale']);
    expect(fallback.get('scale')!.x).toBeLessThan(fallback.get('print')!.x);
    expect(fallback.get('scale')!.y).toBeGreaterThanOrEqual(220); // below the placed tick
    const canvas = documentToCanvas(partial, '', { fallback });
    expect(canvas.nodes.find((n) => n.id === 'print')?.position).toEqual(fallback.get('print'));
    expect(canvas.nodes.find((n) => n.id === 'tick')?.position).toEqual({ x: 80, y: 100 });
  });
});
