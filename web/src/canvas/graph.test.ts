import { describe, expect, it } from "vitest";
import { Journey } from "../../../journeys/format/schema.ts";
import { checkoutJourney } from "../../../journeys/format/test-fixtures.ts";
import type { CanvasNode } from "./graph.ts";
import { journeyGraph, NODE_WIDTH, TRIGGER_ID } from "./graph.ts";
import { canvasHeight, initialViewport } from "./journey-canvas.tsx";

const overlaps = (a: CanvasNode, b: CanvasNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe("the journey as a laid-out graph", () => {
  const journey = Journey.parse(checkoutJourney());
  const graph = journeyGraph(journey);

  it("draws the trigger and every node, with an edge for every way out", () => {
    expect(graph.nodes.map((node) => node.id)).toEqual([TRIGGER_ID, ...journey.nodes.map((node) => node.id)]);
    expect(graph.edges.map((edge) => `${edge.source}->${edge.target}:${edge.label ?? ""}`).sort()).toEqual(
      [
        "$trigger->wait_order:",
        "wait_order->done:Order Completed",
        "wait_order->sms:after 1 hour",
        "sms->wait_day:",
        "wait_day->email:",
        "email->done:",
      ].sort(),
    );
  });

  it("places boxes top to bottom in flow order without overlaps", () => {
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    const y = (id: string) => byId.get(id)!.y;
    expect(y(TRIGGER_ID)).toBeLessThan(y("wait_order"));
    expect(y("wait_order")).toBeLessThan(y("sms"));
    expect(y("sms")).toBeLessThan(y("wait_day"));
    expect(y("email")).toBeLessThan(y("done"));
    for (const [index, a] of graph.nodes.entries()) {
      for (const b of graph.nodes.slice(index + 1)) expect(overlaps(a, b), `${a.id} / ${b.id}`).toBe(false);
    }
    expect(graph.width).toBeGreaterThanOrEqual(NODE_WIDTH);
  });

  it("leaves room for the lines a node shows beyond its description", () => {
    const plain = journeyGraph(journey).nodes.find((node) => node.id === "sms")!;
    const withCounts = journeyGraph(journey, { extraLines: (id) => (id === "sms" ? 4 : 0) }).nodes.find(
      (node) => node.id === "sms",
    )!;
    expect(withCounts.height - plain.height).toBe(4 * 18);
  });

  it("skips edges to nodes that do not exist instead of failing (the validator reports them)", () => {
    const broken = Journey.parse({
      ...checkoutJourney(),
      nodes: checkoutJourney().nodes.map((node) => (node.id === "sms" ? { ...node, next: "nowhere" } : node)),
    });
    const edges = journeyGraph(broken).edges;
    expect(edges.some((edge) => edge.target === "nowhere")).toBe(false);
    expect(edges.some((edge) => edge.source === "sms")).toBe(false);
  });
});

describe("the canvas's first view", () => {
  it("shows a small journey whole and centred", () => {
    const view = initialViewport({ width: 300, height: 400 }, { width: 1000, height: 520 });
    expect(view.zoom).toBe(1);
    expect(view.x).toBe(350);
    expect(view.y).toBe(60);
  });

  it("shows the top of a long journey at a readable zoom rather than shrinking it to fit", () => {
    const view = initialViewport({ width: 600, height: 3000 }, { width: 1000, height: 520 });
    expect(view.zoom).toBe(0.8);
    expect(view.y).toBe(24);
  });

  it("gives a short journey a short canvas and a long one most of a laptop screen, never more", () => {
    expect(canvasHeight({ height: 200 }, 800)).toBe(320);
    expect(canvasHeight({ height: 600 }, 800)).toBe(528);
    // ten steps and a branch: as tall as 80 % of an 800 px window allows
    expect(canvasHeight({ height: 1200 }, 800)).toBe(640);
    expect(canvasHeight({ height: 3000 }, 1400)).toBe(760);
  });
});
