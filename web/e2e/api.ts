import { z } from "zod";
import type { ServerInfo } from "./server.ts";

/** Test set-up through the HTTP API (what the tests arrange is not what they check). */

const DesignAnswer = z.object({
  design: z.object({ id: z.string(), status: z.string(), approvalId: z.string().nullable() }).loose(),
});

async function call(server: ServerInfo, key: string, method: string, pathname: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${pathname}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

/** Has the CX lead's key design a journey and waits until it sits in the approval queue. */
export async function designAwaitingApproval(server: ServerInfo, goal: string) {
  const started = DesignAnswer.parse(
    await call(server, server.keys.cx_lead, "POST", "/api/designs", { goal }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const current = DesignAnswer.parse(
      await call(server, server.keys.cx_lead, "GET", `/api/designs/${started.design.id}`),
    ).design;
    if (current.status === "awaiting_approval" && current.approvalId) return current;
    if (["failed", "stopped", "rejected", "clarifying"].includes(current.status) || Date.now() > deadline) {
      throw new Error(`the design of "${goal}" did not reach review: ${JSON.stringify(current)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function journeyIdByName(server: ServerInfo, name: string): Promise<string> {
  const list = z
    .object({ journeys: z.array(z.object({ id: z.string(), name: z.string() })) })
    .parse(await call(server, server.keys.viewer, "GET", "/api/journeys"));
  const found = list.journeys.find((journey) => journey.name === name);
  if (!found) throw new Error(`no journey named "${name}"`);
  return found.id;
}

/** Saves an edit of a live journey as the CX lead: the lifecycle makes it draft version N+1. */
export async function saveDraftEdit(
  server: ServerInfo,
  journeyId: string,
  edit: (definition: Record<string, unknown>) => void,
) {
  const detail = z
    .object({ latest: z.object({ definition: z.record(z.string(), z.unknown()) }).loose() })
    .parse(await call(server, server.keys.viewer, "GET", `/api/journeys/${journeyId}`));
  const definition = structuredClone(detail.latest.definition);
  edit(definition);
  return z
    .object({ version: z.object({ version: z.number() }).loose() })
    .parse(
      await call(server, server.keys.cx_lead, "PUT", `/api/journeys/${journeyId}/draft`, { definition }),
    );
}
