import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../format/schema.ts";
import { Journey } from "../format/schema.ts";
import { compileJourney } from "./compiled.ts";
import type { WorkspaceContext } from "./router.ts";
import { relevantEvents } from "./router.ts";
import type { SegmentDefinition } from "./segments.ts";
import type { RuntimeEvent } from "./types.ts";
import type { WorkspaceIndex } from "./version-cache.ts";

/**
 * Which ingested events the runtime looks at: most traffic (page views, product views) concerns no
 * journey, and skipping it must never skip an event a journey reacts to.
 */

const compile = (definition: JourneyInput, id: string) =>
  compileJourney(Journey.parse(definition), { versionId: id, journeyId: `j-${id}`, workspaceId: "ws" });

const checkout = compile(
  {
    name: "checkout",
    trigger: { type: "event", event: "Checkout Started" },
    exit_on: [{ event: "Account Closed" }],
    start: "wait",
    nodes: [
      {
        id: "wait",
        type: "wait_for_event",
        event: "Order Completed",
        timeout: "PT1H",
        on_event: "done",
        on_timeout: "done",
      },
      { id: "done", type: "exit" },
    ],
  },
  "v1",
);
const vip = compile(
  {
    name: "vip",
    trigger: { type: "trait_changed", trait: "tier" },
    start: "done",
    nodes: [{ id: "done", type: "exit" }],
  },
  "v2",
);

function context(
  versions: ReturnType<typeof compile>[],
  segments: SegmentDefinition[] = [],
): WorkspaceContext {
  const byEvent = new Map<string, typeof versions>();
  for (const version of versions)
    for (const name of version.triggerEvents) byEvent.set(name, [...(byEvent.get(name) ?? []), version]);
  const index: WorkspaceIndex = {
    workspaceId: "ws",
    timezone: "UTC",
    status: new Map(versions.map((version) => [version.versionId, "active" as const])),
    active: versions,
    byEvent,
    traitTriggered: versions.filter((version) => version.journey.trigger.type === "trait_changed"),
    segmentTriggered: [],
    goalVersions: [],
    instanceEventNames: new Set(versions.flatMap((version) => [...version.instanceEvents])),
  };
  return { index, segments, memberships: new Map() };
}

const at = new Date("2026-03-02T10:00:00Z");
const track = (profileId: number, name: string): RuntimeEvent => ({
  profileId,
  name,
  type: "track",
  properties: {},
  timestamp: at,
});
const identify = (
  profileId: number,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): RuntimeEvent => ({
  profileId,
  name: null,
  type: "identify",
  properties: {},
  timestamp: at,
  traitsBefore: before,
  traitsAfter: after,
});

describe("relevantEvents", () => {
  it("leaves out customers whose events no trigger, wait, exit or goal names", () => {
    const events = [track(1, "Product Viewed"), track(2, "Product Viewed"), track(2, "Page Scrolled")];
    expect(relevantEvents(context([checkout]), events)).toEqual([]);
  });

  it("keeps trigger events, events open instances react to, and every event of those customers in order", () => {
    const events = [
      track(1, "Product Viewed"),
      track(1, "Checkout Started"),
      track(2, "Product Viewed"),
      track(3, "Order Completed"),
      track(4, "Account Closed"),
      track(3, "Product Viewed"),
    ];
    expect(relevantEvents(context([checkout]), events).map((event) => [event.profileId, event.name])).toEqual(
      [
        [1, "Product Viewed"],
        [1, "Checkout Started"],
        [3, "Order Completed"],
        [4, "Account Closed"],
        [3, "Product Viewed"],
      ],
    );
  });

  it("keeps trait changes only when a trait trigger exists", () => {
    const events = [identify(1, { tier: "basic" }, { tier: "gold" })];
    expect(relevantEvents(context([checkout]), events)).toEqual([]);
    expect(relevantEvents(context([checkout, vip]), events)).toHaveLength(1);
  });

  it("keeps events that may move a segment membership", () => {
    const segment: SegmentDefinition = {
      id: "s1",
      name: "buyers",
      condition: { field: "traits.orders", op: "gt", value: 0 },
      needs: new Map([["Product Added", null]]),
    };
    const events = [track(1, "Product Added"), identify(2, {}, { orders: 1 }), track(3, "Product Viewed")];
    expect(relevantEvents(context([checkout], [segment]), events).map((event) => event.profileId)).toEqual([
      1, 2,
    ]);
  });
});
