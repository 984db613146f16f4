import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspaceWithCatalog } from "../../db/catalog-testing.ts";
import type { Database } from "../../db/open.ts";
import { openDb, rows } from "../../db/open.ts";
import type { TestPostgres } from "../../db/testing-postgres.ts";
import { postgresAvailableForTest, startTestPostgres } from "../../db/testing-postgres.ts";
import { checkoutJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { FakeClock } from "../../journeys/runtime/testing.ts";
import { approvalStack, insertKey } from "../../policies/approvals/testing.ts";
import type { Approver } from "../../policies/approvals/types.ts";
import { HashingEmbedder } from "../../tools/data/embedder.ts";
import { SemanticMemory } from "../../tools/data/memory.ts";
import { DesignerModel } from "../model.ts";
import { ScriptedChatModel } from "../testing.ts";
import { ASK_CLARIFICATION, SUBMIT_JOURNEY } from "./answer-tools.ts";
import { createCheckpointer, DbCheckpointSaver } from "./checkpointer.ts";
import { dbEnvironment } from "./db-environment.ts";
import { DesignerService } from "./service.ts";

/**
 * A design survives a restart between an interrupt and its resume, in both storage modes: embedded
 * PGlite (a data directory closed and reopened; the project's checkpoint saver) and PostgreSQL (a
 * real server; LangGraph's PostgresSaver on the pool). Each "process" is a fresh database handle,
 * approval queue, model and designer service; only the database carries the design across.
 */

const clock = new FakeClock("2026-03-10T10:00:00Z");

interface Process {
  database: Database;
  service: DesignerService;
  stack: ReturnType<typeof approvalStack>;
  model: ScriptedChatModel;
}

async function boot(open: () => Promise<Database>, model: ScriptedChatModel): Promise<Process> {
  const database = await open();
  const stack = approvalStack(database, clock);
  const service = new DesignerService({
    database,
    model: new DesignerModel(model, { name: "openai:scripted" }),
    environment: dbEnvironment({
      database,
      approvals: stack.queue,
      memory: new SemanticMemory(database, new HashingEmbedder()),
      lifecycle: () => ({ now: clock.now, onStatusChange: stack.onStatusChange }),
      now: clock.now,
    }),
    checkpointer: await createCheckpointer(database),
    now: clock.now,
    sweepMs: 0,
  });
  stack.queue.onApprovalDecided.push((event) => service.onApprovalDecided(event));
  await service.start();
  return { database, service, stack, model };
}

async function shutdown(process: Process) {
  await process.service.stop();
  await process.database.close();
}

/** ask → restart → answer → draft → restart → accept → live. */
async function survivesRestarts(open: () => Promise<Database>) {
  const first = await boot(
    open,
    new ScriptedChatModel().respondWithTools([
      { name: ASK_CLARIFICATION, args: { question: "Which event starts it?", missing: ["trigger"] } },
    ]),
  );
  const workspaceId = await createWorkspaceWithCatalog(first.database.db, storeCatalog);
  const author = await insertKey(first.database.db, workspaceId, "cx_lead");
  const reviewer: Approver = await insertKey(first.database.db, workspaceId, "reviewer");
  const created = await first.service.create({ workspaceId, goal: "Rescue carts", createdBy: author.keyId });
  await first.service.settled();
  expect(await first.service.get(workspaceId, created.id)).toMatchObject({ status: "clarifying" });
  await shutdown(first);

  // Second process: the answer resumes the graph from its checkpoint, conversation included.
  const second = await boot(
    open,
    new ScriptedChatModel().respondWithTools([
      { name: SUBMIT_JOURNEY, args: { journey: checkoutJourney(), explanation: [] } },
    ]),
  );
  await second.service.answer(workspaceId, created.id, "Checkout Started", author.keyId);
  await second.service.settled();
  const waiting = await second.service.get(workspaceId, created.id);
  expect(waiting.error).toBeNull();
  expect(waiting).toMatchObject({ status: "awaiting_approval", llmCalls: 2 });
  const resumedPrompt = second.model.calls[0]!.messages.map((message) => message.getType());
  expect(resumedPrompt).toEqual(["system", "human", "ai", "tool"]);
  await shutdown(second);

  // Third process: the reviewer's accept resumes it again, through this process's approval queue.
  const third = await boot(open, new ScriptedChatModel());
  await third.stack.queue.respondToApproval(
    third.database.db,
    waiting.approvalId!,
    { type: "accept" },
    reviewer,
  );
  await third.service.settled();
  expect(await third.service.get(workspaceId, created.id)).toMatchObject({ status: "activated" });
  const [version] = await rows<{ status: string }>(
    third.database.db,
    sql`select status from journey_versions where design_id = ${created.id}`,
  );
  expect(version!.status).toBe("active");
  expect(third.model.callCount).toBe(0);
  return { third, workspaceId, designId: created.id };
}

describe("embedded PGlite: the project's checkpoint saver", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "overture-designer-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("resumes a design after restarts between its interrupts and their answers", async () => {
    const { third } = await survivesRestarts(() => openDb({ dataDir }));
    expect(await createCheckpointer(third.database)).toBeInstanceOf(DbCheckpointSaver);
    await shutdown(third);
  });

  it("finishes a run a crash interrupted mid-graph, from its last checkpoint, at start-up", async () => {
    const first = await boot(() => openDb({ dataDir }), new ScriptedChatModel());
    const workspaceId = await createWorkspaceWithCatalog(first.database.db, storeCatalog);
    const author = await insertKey(first.database.db, workspaceId, "cx_lead");
    // The first model call fails as a crash would: the checkpoint after gather_context remains.
    first.model.respond(new Error("process killed"));
    const created = await first.service.create({
      workspaceId,
      goal: "Rescue carts",
      createdBy: author.keyId,
    });
    await first.service.settled();
    // (a real crash leaves the row "running" and the lease to expire; put it back that way)
    await first.database.db.execute(
      sql`update designs set status = 'running', error = null, lease_owner = null, lease_until = null where id = ${created.id}`,
    );
    await shutdown(first);
    const second = await boot(
      () => openDb({ dataDir }),
      new ScriptedChatModel().respondWithTools([
        { name: SUBMIT_JOURNEY, args: { journey: checkoutJourney(), explanation: [] } },
      ]),
    );
    await second.service.settled();
    expect(await second.service.get(workspaceId, created.id)).toMatchObject({
      status: "awaiting_approval",
      llmCalls: 1,
    });
    expect(second.model.calls[0]!.messages.map((message) => message.getType())).toEqual(["system", "human"]);
    await shutdown(second);
  });
});

describe("PostgreSQL: LangGraph's PostgresSaver on the pool", () => {
  const available = postgresAvailableForTest();
  let postgres: TestPostgres | null = null;
  let url = "";
  beforeAll(async () => {
    if (!available) return;
    postgres = await startTestPostgres();
    url = await postgres.createDatabase();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
  });

  it.skipIf(!available)(
    "resumes a design after restarts between its interrupts and their answers",
    async () => {
      const { third, workspaceId, designId } = await survivesRestarts(() => openDb({ url }));
      const saver = await createCheckpointer(third.database);
      expect(saver).not.toBeInstanceOf(DbCheckpointSaver);
      const stored = await rows<{ n: number }>(
        third.database.db,
        sql`select count(*)::int8 as n from langgraph.checkpoints where thread_id = ${designId}`,
      );
      expect(Number(stored[0]!.n)).toBeGreaterThan(0);
      // This server has no pgvector: memory says so and the designer worked without it.
      expect(third.database.vector).toBe(false);
      const design = await third.service.get(workspaceId, designId);
      expect(design.status).toBe("activated");
      await shutdown(third);
    },
  );
});
