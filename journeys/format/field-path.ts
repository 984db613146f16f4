/**
 * Dotted-path lookup shared by condition evaluation and message rendering, so `traits.a.b` and
 * `{{traits.a.b}}` can never read a value differently. A missing step yields `undefined`, never a throw:
 * journeys name fields of customer data nobody promised to be there.
 */
export function digPath(root: unknown, keys: readonly string[]): unknown {
  let current: unknown = root;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** `name`, `timestamp` (ISO text) or `properties.…` of an event; anything else is undefined. */
export function eventFieldValue(
  // structurally an EventRecord (evaluate.ts imports this file, so it cannot import back)
  event: { name: string; properties: Record<string, unknown>; timestamp: Date } | undefined,
  keys: readonly string[],
): unknown {
  if (!event) return undefined;
  const [head, ...rest] = keys;
  if (head === "name") return event.name;
  if (head === "timestamp") return event.timestamp.toISOString();
  if (head === "properties") return digPath(event.properties, rest);
  return undefined;
}
