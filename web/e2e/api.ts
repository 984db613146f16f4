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

/**
 * Puts a journey live the way the product does: the CX lead drafts it and asks for activation, a
 * reviewer accepts the approval item.
 */
export async function liveJourney(server: ServerInfo, definition: Record<string, unknown>): Promise<string> {
  const created = z
    .object({ journey: z.object({ id: z.string() }), version: z.object({ version: z.number() }) })
    .parse(await call(server, server.keys.cx_lead, "POST", "/api/journeys", { definition }));
  const asked = z
    .object({ outcome: z.string(), approvalId: z.string().optional() })
    .parse(
      await call(
        server,
        server.keys.cx_lead,
        "POST",
        `/api/journeys/${created.journey.id}/versions/${created.version.version}/activate`,
      ),
    );
  if (asked.outcome === "pending_approval" && asked.approvalId) {
    await call(server, server.keys.reviewer, "POST", `/api/approvals/${asked.approvalId}/respond`, {
      type: "accept",
      reason: "test set-up",
    });
  }
  return created.journey.id;
}

const HandoffList = z.object({
  items: z.array(z.object({ id: z.number(), userId: z.string().nullable(), status: z.string() }).loose()),
});

/** Waits until the hand-off dispatcher has made the customer's task. */
export async function handoffTaskOf(server: ServerInfo, userId: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const list = HandoffList.parse(await call(server, server.keys.viewer, "GET", "/api/handoffs?limit=200"));
    const task = list.items.find((item) => item.userId === userId);
    if (task) return task;
    if (Date.now() > deadline) throw new Error(`no hand-off task for ${userId} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A request that is meant to be refused: the status and the error body. */
export async function refused(
  server: ServerInfo,
  key: string,
  method: string,
  pathname: string,
  body?: unknown,
) {
  const response = await fetch(`${server.baseUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}
