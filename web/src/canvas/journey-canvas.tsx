import type { Edge, Node, NodeProps, ReactFlowInstance } from "@xyflow/react";
import { Background, Controls, Handle, MarkerType, MiniMap, Position, ReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Journey } from "../../../journeys/format/schema.ts";
import type { NodeMetrics } from "../api/schemas.ts";
import type { CanvasEdge, CanvasGraph, CanvasNode } from "./graph.ts";
import { journeyGraph } from "./graph.ts";
import type { PathIssue } from "./issue-pins.ts";
import { pinIssues } from "./issue-pins.ts";

/**
 * The journey canvas: the graph laid out by dagre, drawn by React Flow, read-only. Each box shows
 * what the step does, its live counts when given, and the lint warnings pinned to it. Every box is
 * focusable and carries a full-sentence label; the page beside it lists the same steps as text.
 */

export const METRIC_KEYS = ["entered", "waiting", "sent", "held", "exited"] as const;

interface JourneyNodeData extends Record<string, unknown> {
  node: CanvasNode;
  metrics: NodeMetrics | null;
  issues: PathIssue[];
}

type JourneyFlowNode = Node<JourneyNodeData, "journey">;

const JourneyNodeBox = memo(function JourneyNodeBox({ data }: NodeProps<JourneyFlowNode>) {
  const { node, metrics, issues } = data;
  return (
    <div className={`canvas-node kind-${node.kind}${issues.length > 0 ? " has-issues" : ""}`}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="canvas-node-head">
        <span className="canvas-badge">{node.badge}</span>
        <span className="canvas-node-id">{node.kind === "trigger" ? "" : node.id}</span>
      </div>
      <div className="canvas-node-title">{node.title}</div>
      {node.details.map((line) => (
        <div className="canvas-node-detail" key={line}>
          {line}
        </div>
      ))}
      {metrics && (
        <dl className="canvas-metrics">
          {METRIC_KEYS.map((key) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd data-metric={key}>{metrics[key] ?? 0}</dd>
            </div>
          ))}
        </dl>
      )}
      {issues.map((issue) => (
        <div
          className={`canvas-issue severity-${issue.severity ?? "warning"}`}
          key={`${issue.path}:${issue.message}`}
        >
          <span aria-hidden="true">⚠ </span>
          {issue.message}
        </div>
      ))}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { journey: JourneyNodeBox };

const EDGE_COLORS: Record<CanvasEdge["kind"], string> = {
  start: "#1f6f43",
  next: "#4b5563",
  skip: "#6b7280",
  error: "#b42318",
  event: "#1f6f43",
  timeout: "#8a4b00",
  branch: "#5b3cc4",
  otherwise: "#5b3cc4",
  variant: "#1d4ed8",
};

export function nodeAriaLabel(node: CanvasNode, metrics: NodeMetrics | null, issues: PathIssue[]): string {
  const parts = [
    `${node.kind === "trigger" ? "Trigger" : `Step ${node.id}`}: ${node.title}`,
    ...node.details,
  ];
  if (metrics) parts.push(METRIC_KEYS.map((key) => `${key} ${metrics[key] ?? 0}`).join(", "));
  for (const issue of issues) parts.push(`warning: ${issue.message}`);
  return parts.join(". ");
}

/**
 * The first view: the whole journey when it fits at a readable size, else the top of it at the
 * smallest readable zoom (the rest is a pan or a zoom-out away). Fitting a long journey entirely
 * would shrink its text below legibility.
 */
export function initialViewport(
  graph: Pick<CanvasGraph, "width" | "height">,
  box: { width: number; height: number },
) {
  const margin = 24;
  const fit = Math.min((box.width - 2 * margin) / graph.width, (box.height - 2 * margin) / graph.height);
  const zoom = Math.max(MIN_READABLE_ZOOM, Math.min(1, fit));
  const x = Math.max(margin, (box.width - graph.width * zoom) / 2);
  const y = graph.height * zoom + 2 * margin <= box.height ? (box.height - graph.height * zoom) / 2 : margin;
  return { x, y, zoom };
}

const MIN_READABLE_ZOOM = 0.8;
/** canvas heights: a short journey gets a short canvas, a long one as much as the screen allows */
const MIN_HEIGHT = 320;
const MAX_HEIGHT = 760;

/**
 * How tall the canvas is: the journey at the readable zoom when that fits, else as tall as a
 * laptop screen sensibly allows (the page still scrolls around it), so a journey of ten or more
 * steps shows most of itself at a size that can be read instead of a few boxes at the top.
 */
export function canvasHeight(graph: Pick<CanvasGraph, "height">, viewportHeight: number): number {
  const wanted = Math.ceil(graph.height * MIN_READABLE_ZOOM + 48);
  const screen = Math.max(MIN_HEIGHT, Math.round(viewportHeight * 0.8));
  return Math.max(MIN_HEIGHT, Math.min(wanted, MAX_HEIGHT, screen));
}

/** Mini-map colours by step kind (the boxes' left borders). */
const KIND_COLORS: Record<string, string> = {
  trigger: "#15803d",
  send: "#1d4ed8",
  wait: "#b45309",
  wait_for_event: "#b45309",
  branch: "#6d28d9",
  split: "#6d28d9",
  handoff: "#0f766e",
  agent: "#0f766e",
  exit: "#4b5563",
};

export interface JourneyCanvasProps {
  journey: Journey;
  /** per node id (the trigger's under "$trigger") */
  metrics?: ReadonlyMap<string, NodeMetrics> | null;
  issues?: readonly PathIssue[];
  label: string;
  /** fixed height in px; by default the journey's own height within the screen's (canvasHeight) */
  height?: number;
  onSelectNode?: (nodeId: string) => void;
}

export function JourneyCanvas({
  journey,
  metrics,
  issues = [],
  label,
  height: fixedHeight,
  onSelectNode,
}: JourneyCanvasProps) {
  const pins = useMemo(() => pinIssues(journey, issues), [journey, issues]);
  const showMetrics = Boolean(metrics);
  const graph = useMemo(
    () =>
      journeyGraph(journey, {
        // two lines for the counts grid, two per pinned warning
        extraLines: (id) => (showMetrics ? 2 : 0) + 2 * (pins.byNode.get(id)?.length ?? 0),
      }),
    [journey, pins, showMetrics],
  );

  const nodes: JourneyFlowNode[] = useMemo(
    () =>
      graph.nodes.map((node) => {
        const nodeMetrics = metrics ? (metrics.get(node.id) ?? {}) : null;
        const nodeIssues = pins.byNode.get(node.id) ?? [];
        return {
          id: node.id,
          type: "journey" as const,
          position: { x: node.x, y: node.y },
          data: { node, metrics: nodeMetrics, issues: nodeIssues },
          width: node.width,
          height: node.height,
          draggable: false,
          connectable: false,
          ariaLabel: nodeAriaLabel(node, nodeMetrics, nodeIssues),
        };
      }),
    [graph, metrics, pins],
  );

  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((edge) => {
        const color = EDGE_COLORS[edge.kind];
        return {
          id: edge.id,
          source: edge.source,
          target: edge.target,
          type: "smoothstep",
          label: edge.label ?? undefined,
          labelStyle: { fill: "#111827", fontSize: 12, fontWeight: 600 },
          labelBgStyle: { fill: "#ffffff" },
          labelBgPadding: [6, 3] as [number, number],
          style: {
            stroke: color,
            strokeWidth: 1.75,
            ...(edge.kind === "skip" || edge.kind === "error" ? { strokeDasharray: "6 4" } : {}),
          },
          markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
          focusable: false,
          ariaLabel: `${edge.source} to ${edge.target}${edge.label ? `: ${edge.label}` : ""}`,
        };
      }),
    [graph],
  );

  const height = fixedHeight ?? canvasHeight(graph, typeof window === "undefined" ? 800 : window.innerHeight);
  // a journey that does not fit at a readable size gets a map to find its way around
  const [boxWidth, setBoxWidth] = useState(0);
  // below this width a map would cover most of the canvas; the hint and the steps table remain
  const roomForMap = boxWidth >= 560;
  const fits =
    boxWidth > 0 &&
    graph.width * MIN_READABLE_ZOOM + 48 <= boxWidth &&
    graph.height * MIN_READABLE_ZOOM + 48 <= height;
  const container = useRef<HTMLElement>(null);
  const instance = useRef<ReactFlowInstance<JourneyFlowNode, Edge> | null>(null);
  const place = useCallback(() => {
    const box = container.current;
    if (box) setBoxWidth(box.clientWidth);
    if (!instance.current || !box) return;
    void instance.current.setViewport(
      initialViewport(graph, { width: box.clientWidth, height: box.clientHeight }),
    );
  }, [graph]);
  useEffect(place, [place]);

  return (
    <>
      <section className="canvas" aria-label={label} style={{ height }} ref={container}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onInit={(flow) => {
            instance.current = flow;
            place();
          }}
          minZoom={0.2}
          maxZoom={1.6}
          nodesDraggable={false}
          nodesConnectable={false}
          edgesFocusable={false}
          zoomOnScroll={false}
          preventScrolling={false}
          onNodeClick={(_event, node) => onSelectNode?.(node.id)}
        >
          <Background gap={24} color="#e5e7eb" />
          <Controls showInteractive={false} />
          {!fits && roomForMap && (
            <MiniMap<JourneyFlowNode>
              pannable
              zoomable
              ariaLabel={`Map of the whole journey, ${graph.nodes.length} boxes`}
              nodeColor={(node) => KIND_COLORS[node.data.node.kind] ?? "#6b7280"}
              maskColor="rgba(243, 244, 246, 0.7)"
            />
          )}
        </ReactFlow>
      </section>
      {!fits && boxWidth > 0 && (
        <p className="canvas-hint">
          Part of the journey is out of view: drag the canvas, zoom out with −
          {roomForMap ? ", or click the map in its corner" : ""}. The steps are also listed as text below.
        </p>
      )}
    </>
  );
}
