import { describe, expect, it } from "vitest";
import { digPath, eventFieldValue } from "./field-path.ts";

describe("digPath", () => {
  it("reads nested keys and yields undefined past a missing, null or primitive step", () => {
    const root = { order: { total: 42, lines: [{ sku: "a" }] }, empty: null, name: "Ada" };
    expect(digPath(root, ["order", "total"])).toBe(42);
    expect(digPath(root, ["order", "lines", "0", "sku"])).toBe("a");
    expect(digPath(root, ["missing", "total"])).toBeUndefined();
    expect(digPath(root, ["empty", "total"])).toBeUndefined();
    expect(digPath(root, ["name", "length"])).toBeUndefined();
    expect(digPath(root, [])).toBe(root);
  });
});

describe("eventFieldValue", () => {
  const event = {
    name: "Order Completed",
    properties: { total: 99, address: { city: "Lyon" } },
    timestamp: new Date("2026-03-01T10:00:00Z"),
  };

  it("reads the name, the timestamp as ISO text and properties by path", () => {
    expect(eventFieldValue(event, ["name"])).toBe("Order Completed");
    expect(eventFieldValue(event, ["timestamp"])).toBe("2026-03-01T10:00:00.000Z");
    expect(eventFieldValue(event, ["properties", "address", "city"])).toBe("Lyon");
  });

  it("yields undefined for anything else and for no event", () => {
    expect(eventFieldValue(event, ["messageId"])).toBeUndefined();
    expect(eventFieldValue(undefined, ["name"])).toBeUndefined();
  });
});
