import { z } from "zod";

/**
 * The policy config being edited, as plain JSON: the form reads and writes it by path, so fields
 * the form has no control for (a new policy option, a rule written by hand) travel through a save
 * unchanged. The server validates the whole config and is the reference for what is allowed.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type PathPart = string | number;
export type Path = readonly PathPart[];

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function getAt(root: Json | undefined, path: Path): Json | undefined {
  let current: Json | undefined = root;
  for (const part of path) {
    if (typeof part === "number") current = Array.isArray(current) ? current[part] : undefined;
    else current = isObject(current) ? current[part] : undefined;
  }
  return current;
}

/**
 * A copy of `root` with `value` at `path` (intermediate objects created as needed). `undefined`
 * removes the field, so an emptied input falls back to the policy's default instead of sending "".
 */
export function setAt(root: Json | undefined, path: Path, value: Json | undefined): Json | undefined {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [PathPart, ...PathPart[]];
  if (typeof head === "number") {
    const list = Array.isArray(root) ? [...root] : [];
    const next = setAt(list[head], rest, value);
    if (next === undefined) list.splice(head, 1);
    else list[head] = next;
    return list;
  }
  const object: JsonObject = isObject(root) ? { ...root } : {};
  const next = setAt(object[head], rest, value);
  if (next === undefined) delete object[head];
  else object[head] = next;
  return object;
}

/** The JSONPath the server names a config problem with: `$.config.quiet_hours.per_channel.sms.end`. */
export function jsonPath(path: Path, root = "$.config"): string {
  let text = root;
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) text += `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

/** `issue` is about the field at `fieldPath` or something inside it. */
export function issueBelongsTo(issuePath: string, fieldPath: string): boolean {
  return (
    issuePath === fieldPath || issuePath.startsWith(`${fieldPath}.`) || issuePath.startsWith(`${fieldPath}[`)
  );
}

/** An element id for a field, so the error summary can link to it. */
export function fieldId(path: string): string {
  return `policy-${path.replace(/^\$\.config\.?/, "").replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** Every leaf value of a config by its path, for a version-to-version comparison. */
export function flatten(value: Json | undefined, path: Path = []): Map<string, Json> {
  const leaves = new Map<string, Json>();
  const visit = (node: Json | undefined, at: Path) => {
    if (node === undefined) return;
    if (isObject(node) && Object.keys(node).length > 0) {
      for (const [key, child] of Object.entries(node)) visit(child, [...at, key]);
    } else if (Array.isArray(node) && node.length > 0 && node.some((item) => isObject(item))) {
      for (const [index, child] of node.entries()) visit(child, [...at, index]);
    } else {
      // lists of plain values (channels, phrases) compare as one value: "sms, push" → "push"
      leaves.set(jsonPath(at, "$"), node);
    }
  };
  visit(value, path);
  return leaves;
}

export interface ConfigChange {
  path: string;
  before: Json | undefined;
  after: Json | undefined;
}

/** What changed from one stored config to the next, field by field, in path order. */
export function configChanges(before: Json | undefined, after: Json | undefined): ConfigChange[] {
  const old = flatten(before);
  const now = flatten(after);
  const paths = [...new Set([...old.keys(), ...now.keys()])].sort();
  return paths
    .filter((path) => JSON.stringify(old.get(path)) !== JSON.stringify(now.get(path)))
    .map((path) => ({ path, before: old.get(path), after: now.get(path) }));
}

export const JsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(JsonValue),
    z.record(z.string(), JsonValue),
  ]),
);

/** A config from the server as an editable JSON object (anything else edits as an empty config). */
export function configDraft(value: unknown): JsonObject {
  const parsed = JsonValue.safeParse(value);
  return parsed.success && isObject(parsed.data) ? parsed.data : {};
}

/** The validator's bounds in words: "Too small: expected number to be >=1" → "must be at least 1". */
export function plainMessage(message: string): string {
  const bound = /^Too (small|big): expected (?:number|array|string) to (?:be|have) ([<>]=?)(\S+)/.exec(
    message,
  );
  if (!bound) return message;
  const words: Record<string, string> = {
    ">=": "at least",
    ">": "more than",
    "<=": "at most",
    "<": "less than",
  };
  return `must be ${words[bound[2] ?? ""] ?? bound[2]} ${bound[3]}`;
}
