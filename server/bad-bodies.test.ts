import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import { storeCatalog } from "../journeys/format/test-fixtures.ts";
import { routeModules } from "./modules.ts";
import type { ApiHarness, TestKeys } from "./routes/test-harness.ts";
import { createApiHarness } from "./routes/test-harness.ts";

/**
 * Every management route that takes a body, read from /openapi.json, gets bodies built from its own
 * request schema with every string replaced by text PostgreSQL cannot store (a NUL), plus malformed
 * JSON and a non-object root: each answer is a 4xx with the error shape, never a 5xx. The journey
 * and ingestion endpoints have deeper generated runs; this one makes sure no route is forgotten.
 */

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
};

interface BodyOperation {
  method: string;
  path: string;
  schema: JsonSchema | undefined;
}

const UNSTORABLE = "text\u0000with a NUL";

let database: Database;
let harness: ApiHarness;
let ws: TestKeys;
let operations: BodyOperation[] = [];
let components: Record<string, JsonSchema> = {};

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, routeModules);
  ws = await harness.workspace(storeCatalog);
  const response = await harness.app.fetch(new Request("http://test/openapi.json"));
  const document = (await response.json()) as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>
    >;
    components?: { schemas?: Record<string, JsonSchema> };
  };
  components = document.components?.schemas ?? {};
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, operation]) => operation.requestBody)
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        schema: operation.requestBody?.content?.["application/json"]?.schema,
      })),
  );
});
afterAll(async () => {
  await harness?.ctx.services.stop();
  await database?.close();
});

/** An instance of the schema in which every string holds a NUL. */
function unstorableInstance(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return UNSTORABLE;
  if (schema.$ref) return unstorableInstance(components[schema.$ref.split("/").pop()!], depth + 1);
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0] ?? schema.allOf?.[0];
  if (variant) return unstorableInstance(variant, depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [unstorableInstance(schema.items, depth + 1)];
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [
          key,
          unstorableInstance(value, depth + 1),
        ]),
      );
    default:
      return UNSTORABLE;
  }
}

function concrete(path: string): string {
  return `/api${path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    ["version", "a", "b", "id"].includes(name) ? "1" : `no-such-${name}`,
  )}`;
}

describe("every management route that takes a body", () => {
  it("answers bodies it cannot store, malformed JSON and non-object roots with a shaped 4xx, never a 5xx", async () => {
    expect(operations.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const operation of operations) {
      const bodies = [JSON.stringify(unstorableInstance(operation.schema)), '{"broken": ', "[1, 2, 3]"];
      for (const body of bodies) {
        const response = await harness.app.fetch(
          new Request(`http://test${concrete(operation.path)}`, {
            method: operation.method,
            headers: { authorization: `Bearer ${ws.keys.admin}`, "content-type": "application/json" },
            body,
          }),
        );
        const text = await response.text();
        const shaped = /^\{"error":\{"code":"[a-z_]+","message":"/.test(text);
        if (response.status >= 500 || response.status < 400 || !shaped) {
          failures.push(
            `${operation.method} ${operation.path} ${body.slice(0, 40)} → ${response.status} ${text.slice(0, 120)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
