import { describe, expect, it } from "vitest";
import { permissionsFromOpenApi } from "./permissions.ts";

const document = {
  paths: {
    "/journeys": {
      get: { "x-roles": ["admin", "viewer", "cx_lead", "reviewer"] },
      post: { "x-roles": ["admin", "cx_lead"] },
    },
    "/journeys/{id}/versions/{version}/pause": { post: { "x-roles": ["admin"] }, parameters: [] },
    "/approvals/{id}/respond": { post: { "x-roles": ["admin", "reviewer"] } },
  },
};

describe("what a role may do, read from /openapi.json", () => {
  it("admits exactly the roles a route lists", () => {
    const reviewer = permissionsFromOpenApi(document, "reviewer");
    expect(reviewer.can("GET /journeys")).toBe(true);
    expect(reviewer.can("POST /journeys")).toBe(false);
    expect(reviewer.can("POST /approvals/{id}/respond")).toBe(true);
    expect(reviewer.can("POST /journeys/{id}/versions/{version}/pause")).toBe(false);
    expect(
      permissionsFromOpenApi(document, "admin").can("POST /journeys/{id}/versions/{version}/pause"),
    ).toBe(true);
  });

  it("allows nothing on routes the server does not have", () => {
    const admin = permissionsFromOpenApi(document, "admin");
    expect(admin.has("POST /designs")).toBe(false);
    expect(admin.can("POST /designs")).toBe(false);
  });

  it("allows nothing when the document is not an OpenAPI document", () => {
    expect(permissionsFromOpenApi({ nope: true }, "admin").can("GET /journeys")).toBe(false);
  });
});
