import dagre from "@dagrejs/dagre";
import type { Journey, JourneyNode } from "../../../journeys/format/schema.ts";
import { nodeExits } from "../../../journeys/format/schema.ts";
import type { EdgeKind } from "./describe.ts";
import { describeExit, describeNode, describeTrigger } from "./describe.ts";

/**
 * A journey as a drawable graph: one box per node plus the trigger, one edge per way out of a node
 * (labelled for branches, splits, timeouts and skip paths), positioned by dagre. Positions are
 * computed here, never written by hand, so any journey the designer drafts lays out readably.
 */

export const TRIGGER_ID = "$trigger";
export const NODE_WIDTH = 260;
const LINE_HEIGHT = 18;
const BASE_HEIGHT = 58;
/** characters of a title that fit on one line of a box */
const TITLE_LINE_CHARS = 32;

/** Titles wrap to a second line when long (the box clamps them at two). */
function titleLines(title: string): number {
  return title.length > TITLE_LINE_CHARS ? 1 : 0;
}

export interface CanvasNode {
  id: string;
  kind: JourneyNode["type"] | "trigger";
  badge: string;
  title: string;
  details: string[];
  /** index in journey.nodes (null for the trigger) */
  index: number | null;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  label: string | null;
  kind: EdgeKind | "start";
}

export interface CanvasGraph {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** extra text lines a node shows (counts, warnings), so the layout leaves room for them */
  extraLines?: (nodeId: string) => number;
}

export function journeyGraph(journey: Journey, options: LayoutOptions = {}): CanvasGraph {
  const extra = options.extraLines ?? (() => 0);
  const known = new Set(journey.nodes.map((node) => node.id));
  const height = (id: string, lines: number) => BASE_HEIGHT + LINE_HEIGHT * (lines + extra(id));

  const triggerDetails: string[] = [];
  if (journey.audience) triggerDetails.push("Audience condition applies");
  if (journey.goal) triggerDetails.push(`Goal: ${journey.goal.event}`);
  const nodes: CanvasNode[] = [
    {
      id: TRIGGER_ID,
      kind: "trigger",
      badge: "TRIGGER",
      title: `When ${describeTrigger(journey.trigger)}`,
      details: triggerDetails,
      index: null,
      x: 0,
      y: 0,
      width: NODE_WIDTH,
      height: height(
        TRIGGER_ID,
        triggerDetails.length + titleLines(`When ${describeTrigger(journey.trigger)}`),
      ),
    },
  ];
  for (const [index, node] of journey.nodes.entries()) {
    const description = describeNode(node);
    const details = description.details.slice(0, 4);
    nodes.push({
      id: node.id,
      kind: node.type,
      badge: description.badge,
      title: description.title,
      details,
      index,
      x: 0,
      y: 0,
      width: NODE_WIDTH,
      height: height(node.id, details.length + titleLines(description.title)),
    });
  }

  const edges: CanvasEdge[] = [];
  if (known.has(journey.start)) {
    edges.push({
      id: `${TRIGGER_ID}->start`,
      source: TRIGGER_ID,
      target: journey.start,
      label: null,
      kind: "start",
    });
  }
  for (const node of journey.nodes) {
    for (const exit of nodeExits(node)) {
      // a dangling `next` is a validation error shown in the issue list; it has nothing to point at
      if (!known.has(exit.target)) continue;
      const { label, kind } = describeExit(node, exit.key);
      edges.push({ id: `${node.id}:${exit.key}`, source: node.id, target: exit.target, label, kind });
    }
  }

  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "TB", nodesep: 48, ranksep: 64, edgesep: 24, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: node.width, height: node.height });
  for (const edge of edges) {
    const labelSize = edge.label ? { width: Math.min(220, 12 + edge.label.length * 7), height: 22 } : {};
    graph.setEdge(edge.source, edge.target, { ...labelSize, labelpos: "c" }, edge.id);
  }
  dagre.layout(graph);

  let width = 0;
  let totalHeight = 0;
  for (const node of nodes) {
    const placed = graph.node(node.id);
    // dagre gives centres; the canvas wants top-left corners
    node.x = Math.round(placed.x - node.width / 2);
    node.y = Math.round(placed.y - node.height / 2);
    width = Math.max(width, node.x + node.width);
    totalHeight = Math.max(totalHeight, node.y + node.height);
  }
  return { nodes, edges, width, height: totalHeight };
}
