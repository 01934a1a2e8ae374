import { Background, BackgroundVariant, Controls, MiniMap, ReactFlow, SelectionMode, useReactFlow, type Edge, type NodeMouseHandler } from '@xyflow/react';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { GRID, nodeSize } from '../model/node-geometry.js';
import { useEditor } from '../store/editor.js';
import { canvasPointer } from './canvas-pointer.js';
import { NodeContextMenu } from './NodeContextMenu.js';
import { PwEdge } from './PwEdge.js';
import { PwNode, type PwFlowNode } from './PwNode.js';

/** The palette's drag payload type. */
export const NODE_TYPE_MIME = 'application/x-plantwire-node-type';

// Module level, so React Flow never sees new types and remounts every node (STYLE.md editor idioms).
const nodeTypes = { pw: PwNode };
const edgeTypes = { pw: PwEdge };
const SNAP_GRID: [number, number] = [GRID, GRID];
const PRO_OPTIONS = { hideAttribution: true };
const DEFAULT_EDGE_OPTIONS = { type: 'pw' };
/** Above this many nodes only what is on screen is rendered. */
const VIRTUALISE_ABOVE = 200;
const BIG_FLOW_ZOOM = 0.8;

const { onNodesChange, onEdgesChange, onConnect, isValidConnection } = useEditor.getState();

export function Canvas() {
  // The model's canvas shapes are React Flow's node and edge shapes, declared without importing it.
  const nodes = useEditor((s) => s.nodes) as unknown as PwFlowNode[];
  const edges = useEditor((s) => s.edges) as unknown as Edge[];
  const snap = useEditor((s) => s.snapToGrid);
  const minimap = useEditor((s) => s.minimap);
  const activeTab = useEditor((s) => s.activeTab);
  const focus = useEditor((s) => s.focus);
  const flow = useReactFlow();
  const [menu, setMenu] = useState<{ nodeId: string; x: number; y: number } | undefined>();
  const wrapper = useRef<HTMLDivElement>(null);

  // A new tab (or the first load) is framed once; edits never move the view. A big flow opens at
  // its top-left corner at a readable zoom instead: framing 2,000 nodes would draw them all.
  useEffect(() => {
    const id = requestAnimationFrame(() => {
      const all = useEditor.getState().nodes;
      // An empty tab has nothing to frame; a fit requested now would wait for the first node
      // dropped on it and then jump the view to that node.
      if (all.length === 0) return;
      if (all.length <= VIRTUALISE_ABOVE) {
        void flow.fitView({ padding: 0.15, maxZoom: 1.2 });
        return;
      }
      let minX = Infinity;
      let minY = Infinity;
      for (const n of all) {
        minX = Math.min(minX, n.position.x);
        minY = Math.min(minY, n.position.y);
      }
      void flow.setViewport({ x: 40 - minX * BIG_FLOW_ZOOM, y: 40 - minY * BIG_FLOW_ZOOM, zoom: BIG_FLOW_ZOOM });
    });
    return () => cancelAnimationFrame(id);
  }, [activeTab, flow]);

  useEffect(() => {
    if (!focus) return;
    const node = useEditor.getState().nodes.find((n) => n.id === focus.nodeId);
    if (!node) return;
    const size = nodeSize(useEditor.getState().manifests.get(node.data.nodeType));
    // In a frame, after the tab-framing effect above (declared first), so a jump to another tab ends on the node.
    const id = requestAnimationFrame(() => void flow.setCenter(node.position.x + size.width / 2, node.position.y + size.height / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 250 }));
    return () => cancelAnimationFrame(id);
  }, [focus, flow]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_TYPE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(NODE_TYPE_MIME);
      if (!type) return;
      event.preventDefault();
      const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const size = nodeSize(useEditor.getState().manifests.get(type));
      useEditor.getState().addNodeAt(type, { x: at.x - size.width / 2, y: at.y - 15 });
    },
    [flow],
  );

  const onNodeContextMenu: NodeMouseHandler = useCallback((event, node) => {
    event.preventDefault();
    if (!useEditor.getState().selectedNodes.has(node.id)) useEditor.getState().selectNode(node.id);
    setMenu({ nodeId: node.id, x: event.clientX, y: event.clientY });
  }, []);

  const closeMenu = useCallback(() => setMenu(undefined), []);

  // Clicking a node that is already selected while the inspector shows a connection brings the
  // node back: React Flow reports no selection change for it.
  const onNodeClick: NodeMouseHandler = useCallback((event, node) => {
    if (event.shiftKey || event.metaKey || event.ctrlKey) return;
    const state = useEditor.getState();
    if (state.selectedConnection !== undefined) state.selectNode(node.id);
  }, []);

  return (
    <div
      className="pw-canvas"
      ref={wrapper}
      data-testid="canvas"
      onMouseMove={(e) => (canvasPointer.client = { x: e.clientX, y: e.clientY })}
      onMouseLeave={() => (canvasPointer.client = undefined)}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onNodeContextMenu={onNodeContextMenu}
        onNodeClick={onNodeClick}
        onPaneClick={closeMenu}
        onMoveStart={closeMenu}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        selectionMode={SelectionMode.Partial}
        multiSelectionKeyCode={['Meta', 'Control']}
        snapToGrid={snap}
        snapGrid={SNAP_GRID}
        onlyRenderVisibleElements={nodes.length > VIRTUALISE_ABOVE}
        minZoom={0.05}
        maxZoom={2.5}
        proOptions={PRO_OPTIONS}
        colorMode="dark"
      >
        <Background variant={BackgroundVariant.Dots} gap={GRID} size={1} />
        <Controls showInteractive={false} />
        {minimap && <MiniMap pannable zoomable nodeStrokeWidth={2} maskColor="rgba(0,0,0,0.5)" />}
      </ReactFlow>
      {menu && <NodeContextMenu nodeId={menu.nodeId} x={menu.x} y={menu.y} onClose={closeMenu} />}
    </div>
  );
}
