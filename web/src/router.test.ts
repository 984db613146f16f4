import { describe, expect, it } from "vitest";
import { matchPath } from "./router.tsx";

describe("console routes", () => {
  it("matches a pattern and decodes its parameters", () => {
    expect(matchPath("/customers/:userId", "/customers/anon%2042")).toEqual({ userId: "anon 42" });
    expect(matchPath("/journeys", "/journeys/")).toEqual({});
  });

  it("rejects other shapes and undecodable parameters", () => {
    expect(matchPath("/journeys/:id", "/journeys")).toBeNull();
    expect(matchPath("/journeys/:id", "/approvals/x")).toBeNull();
    expect(matchPath("/journeys/:id", "/journeys/%E0%A4%A")).toBeNull();
  });
});
