import { describe, expect, it } from "vitest";
import { Journey } from "../../../journeys/format/schema.ts";
import { checkoutJourney } from "../../../journeys/format/test-fixtures.ts";
import { TRIGGER_ID } from "./graph.ts";
import { nodeIdForPath, pinIssues } from "./issue-pins.ts";

describe("pinning warnings to the canvas", () => {
  const journey = Journey.parse(checkoutJourney());

  it("pins a path inside a node to that node, by its index in the definition", () => {
    expect(nodeIdForPath(journey, "$.nodes[3].offer.value")).toBe("email");
    expect(nodeIdForPath(journey, "$.nodes[1]")).toBe("sms");
  });

  it("pins trigger, audience, goal and exit paths to the trigger box", () => {
    for (const path of [
      "$.trigger.event",
      "$.audience.all[0]",
      "$.goal.within",
      "$.exit_on[0].event",
      "$.start",
    ]) {
      expect(nodeIdForPath(journey, path), path).toBe(TRIGGER_ID);
    }
  });

  it("keeps paths it cannot place in the general list", () => {
    const pins = pinIssues(journey, [
      { path: "$.nodes[3].offer.value", message: "above the ceiling" },
      { path: "$.nodes[99].next", message: "no such node" },
      { path: "$.name", message: "too long" },
      { path: "$.nodes[1].channel", message: "no consent fallback" },
    ]);
    expect(pins.byNode.get("email")?.map((issue) => issue.message)).toEqual(["above the ceiling"]);
    expect(pins.byNode.get("sms")?.map((issue) => issue.message)).toEqual(["no consent fallback"]);
    expect(pins.general.map((issue) => issue.message)).toEqual(["no such node", "too long"]);
  });
});
