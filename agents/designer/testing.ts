import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { createWorkspaceWithCatalog } from "../../db/catalog-testing.ts";
import type { Database } from "../../db/open.ts";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { storeCatalog } from "../../journeys/format/test-fixtures.ts";
import type { FakeClock } from "../../journeys/runtime/testing.ts";
import { approvalStack, insertKey } from "../../policies/approvals/testing.ts";
import type { Approver } from "../../policies/approvals/types.ts";
import { HashingEmbedder } from "../../tools/data/embedder.ts";
import { SemanticMemory } from "../../tools/data/memory.ts";
import { DesignerModel } from "../model.ts";
import { DbCheckpointSaver } from "./checkpointer.ts";
import { dbEnvironment } from "./db-environment.ts";
import type { DesignerLimits } from "./deps.ts";
import { DesignerService } from "./service.ts";

/**
 * Test support for the designer: the real stack on one database and a fake clock — policy cache,
 * gateway, runtime and approval queue (policies/approvals/testing.ts), semantic memory with the
 * hashing embedder, the project's checkpoint saver — a workspace with a cx_lead (the author) and a
 * reviewer, and a designer service around any chat model (a scripted one, or the offline planner).
 */

export interface DesignerTestbed {
  stack: ReturnType<typeof approvalStack>;
  memory: SemanticMemory;
  workspaceId: string;
  author: Approver;
  reviewer: Approver;
  service(
    chat: BaseChatModel,
    options?: { name?: string; limits?: Partial<DesignerLimits> },
  ): DesignerService;
}

export async function designerTestbed(
  database: Database,
  clock: FakeClock,
  catalog: WorkspaceCatalog = storeCatalog,
): Promise<DesignerTestbed> {
  const stack = approvalStack(database, clock);
  const memory = new SemanticMemory(database, new HashingEmbedder());
  const workspaceId = await createWorkspaceWithCatalog(database.db, catalog, { timezone: "Europe/Berlin" });
  const author = await insertKey(database.db, workspaceId, "cx_lead");
  const reviewer = await insertKey(database.db, workspaceId, "reviewer");
  return {
    stack,
    memory,
    workspaceId,
    author,
    reviewer,
    service(chat, options = {}) {
      const service = new DesignerService({
        database,
        model: new DesignerModel(chat, { name: options.name ?? "openai:scripted" }),
        environment: dbEnvironment({
          database,
          approvals: stack.queue,
          memory,
          lifecycle: () => ({ now: clock.now, onStatusChange: stack.onStatusChange }),
          now: clock.now,
        }),
        checkpointer: new DbCheckpointSaver(database.db),
        now: clock.now,
        sweepMs: 0,
        ...(options.limits ? { limits: options.limits } : {}),
      });
      stack.queue.onApprovalDecided.push((event) => service.onApprovalDecided(event));
      return service;
    },
  };
}
