import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWorkspaceWithCatalog } from "../db/catalog-testing.ts";
import type { Database } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { journeyVersions } from "../db/schema/journeys.ts";
import { openTestDb } from "../db/testing.ts";
import { checkoutJourney, storeCatalog } from "./format/test-fixtures.ts";
import { versionStats } from "./stats.ts";
import type { ActivationGate, StatusChange } from "./versions.ts";
import {
  activateVersion,
  archiveVersion,
  createJourney,
  getVersion,
  inFlightCount,
  JourneyVersionError,
  listJourneys,
  listVersions,
  liveVersion,
  pauseVersion,
  resumeVersion,
  saveDraft,
  stopVersion,
  updateVersionDefinition,
} from "./versions.ts";

let database: Database;
let workspaceId: string;
const NOW = new Date("2026-03-02T09:00:00Z");
const now = () => NOW;

beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});
beforeEach(async () => {
  workspaceId = await createWorkspaceWithCatalog(database.db, storeCatalog);
});

async function expectVersionError(promise: Promise<unknown>, code: string): Promise<JourneyVersionError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(JourneyVersionError);
  expect((error as JourneyVersionError).code).toBe(code);
  return error as JourneyVersionError;
}

async function newJourney(definition: unknown = checkoutJourney()) {
  return createJourney(database.db, { workspaceId, definition, author: "key_cx", draftedBy: "human" });
}

async function insertInstance(versionId: string, journeyId: string, nodeId: string, status = "running") {
  const [row] = await rows<{ id: number }>(
    database.db,
    sql`insert into journey_instances (workspace_id, journey_id, version_id, profile_id, status, node_id, due_at)
        values (${workspaceId}, ${journeyId}, ${versionId}, 1, ${status}, ${nodeId}, now()) returning id`,
  );
  return row!.id;
}

describe("creating and editing drafts", () => {
  it("creates a journey with a draft version 1 recording author and drafted_by", async () => {
    const created = await createJourney(database.db, {
      workspaceId,
      definition: checkoutJourney(),
      author: "key_designer",
      draftedBy: "model:gpt-4o-mini",
    });
    expect(created.version).toMatchObject({
      version: 1,
      status: "draft",
      author: "key_designer",
      draftedBy: "model:gpt-4o-mini",
    });
    expect(created.journey.name).toBe("Checkout abandonment");
    expect(created.issues).toEqual([]);
    // defaults are applied before storage: what runs is what was validated
    expect(created.version.definition.reentry).toEqual({ mode: "after_exit" });
  });

  it("refuses a definition that does not parse, listing every schema issue", async () => {
    const error = await expectVersionError(
      createJourney(database.db, { workspaceId, definition: { name: "x" }, author: "a" }),
      "invalid_definition",
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(["$.nodes", "$.start", "$.trigger"]);
    expect(await listJourneys(database.db, workspaceId)).toEqual([]);
  });

  it("refuses an unknown drafted_by", async () => {
    await expectVersionError(
      createJourney(database.db, {
        workspaceId,
        definition: checkoutJourney(),
        author: "a",
        draftedBy: "robot" as "human",
      }),
      "invalid_definition",
    );
  });

  it("keeps a draft with catalog errors and returns them", async () => {
    const definition = { ...checkoutJourney(), trigger: { type: "event", event: "Checkout Startd" } };
    const created = await newJourney(definition);
    expect(created.version.status).toBe("draft");
    expect(created.issues.map((issue) => issue.code)).toEqual(["unknown_event"]);
  });

  it("updates the draft in place while it is a draft", async () => {
    const created = await newJourney();
    const edited = await saveDraft(
      database.db,
      {
        workspaceId,
        journeyId: created.journey.id,
        definition: { ...checkoutJourney(), name: "Cart rescue" },
        author: "key_other",
        draftedBy: "offline-planner",
      },
      { now },
    );
    expect(edited.created).toBe(false);
    expect(edited.version).toMatchObject({
      id: created.version.id,
      version: 1,
      author: "key_other",
      draftedBy: "offline-planner",
    });
    expect(edited.journey.name).toBe("Cart rescue");
    expect(await listVersions(database.db, workspaceId, created.journey.id)).toHaveLength(1);
  });

  it("editing an active journey creates draft N+1 and leaves the active version untouched", async () => {
    const created = await newJourney();
    await activateVersion(
      database.db,
      { workspaceId, journeyId: created.journey.id, version: 1, actor: "key_admin" },
      { now },
    );
    const changed = checkoutJourney();
    changed.priority = 90;
    const edited = await saveDraft(database.db, {
      workspaceId,
      journeyId: created.journey.id,
      definition: changed,
      author: "key_cx",
    });
    expect(edited.created).toBe(true);
    expect(edited.version).toMatchObject({ version: 2, status: "draft" });
    const v1 = await getVersion(database.db, workspaceId, created.journey.id, 1);
    expect(v1.status).toBe("active");
    expect(v1.definition.priority).toBe(50);
    // a second edit updates draft 2 rather than creating 3
    const again = await saveDraft(database.db, {
      workspaceId,
      journeyId: created.journey.id,
      definition: changed,
      author: "key_cx",
    });
    expect(again.version.version).toBe(2);
    expect(again.created).toBe(false);
  });

  it("an active version is immutable: rewriting it is refused and the row stays the same", async () => {
    const created = await newJourney();
    await activateVersion(
      database.db,
      { workspaceId, journeyId: created.journey.id, version: 1, actor: "key_admin" },
      { now },
    );
    const error = await expectVersionError(
      updateVersionDefinition(database.db, {
        workspaceId,
        journeyId: created.journey.id,
        version: 1,
        definition: { ...checkoutJourney(), name: "Changed live" },
        author: "key_cx",
      }),
      "immutable_version",
    );
    expect(error.message).toMatch(/version 1 is active and cannot change; save a draft to create version 2/);
    const [stored] = await database.db
      .select()
      .from(journeyVersions)
      .where(eq(journeyVersions.id, created.version.id));
    expect(stored?.definition.name).toBe("Checkout abandonment");
    for (const action of [pauseVersion, archiveVersion]) {
      await action(
        database.db,
        { workspaceId, journeyId: created.journey.id, version: 1, actor: "key_admin" },
        { now },
      );
      await expectVersionError(
        updateVersionDefinition(database.db, {
          workspaceId,
          journeyId: created.journey.id,
          version: 1,
          definition: checkoutJourney(),
          author: "key_cx",
        }),
        "immutable_version",
      );
    }
  });

  it("a draft version can be rewritten through updateVersionDefinition", async () => {
    const created = await newJourney();
    const updated = await updateVersionDefinition(database.db, {
      workspaceId,
      journeyId: created.journey.id,
      version: 1,
      definition: { ...checkoutJourney(), priority: 10 },
      author: "key_cx",
    });
    expect(updated.definition.priority).toBe(10);
  });

  it("journeys of another workspace are invisible", async () => {
    const created = await newJourney();
    const otherWorkspace = await createWorkspaceWithCatalog(database.db, storeCatalog);
    await expectVersionError(
      getVersion(database.db, otherWorkspace, created.journey.id, 1),
      "journey_not_found",
    );
    await expectVersionError(
      activateVersion(database.db, {
        workspaceId: otherWorkspace,
        journeyId: created.journey.id,
        version: 1,
        actor: "x",
      }),
      "journey_not_found",
    );
    await expectVersionError(
      getVersion(database.db, workspaceId, created.journey.id, 7),
      "version_not_found",
    );
  });
});

describe("activation", () => {
  it("activates a valid draft and returns warnings without blocking", async () => {
    const definition = {
      ...checkoutJourney(),
      trigger: {
        type: "event",
        event: "Checkout Started",
        condition: { field: "event.properties.coupon", op: "exists" },
      },
    };
    const created = await newJourney(definition);
    const result = await activateVersion(
      database.db,
      { workspaceId, journeyId: created.journey.id, version: 1, actor: "key_admin" },
      { now },
    );
    expect(result.outcome).toBe("activated");
    if (result.outcome !== "activated") throw new Error("unreachable");
    expect(result.version).toMatchObject({ status: "active", activatedAt: NOW });
    expect(result.archived).toBeNull();
    expect(result.warnings.map((warning) => warning.code)).toEqual(["unknown_property"]);
  });

  it("validation errors block activation, list every issue and leave the draft a draft", async () => {
    const definition = checkoutJourney();
    definition.trigger = { type: "event", event: "Checkout Startd" };
    (definition.nodes[1] as { next: string }).next = "nowhere";
    const created = await newJourney(definition);
    const error = await expectVersionError(
      activateVersion(database.db, {
        workspaceId,
        journeyId: created.journey.id,
        version: 1,
        actor: "key_admin",
      }),
      "invalid_journey",
    );
    // the broken edge also strands nodes and paths; every issue is listed, not just the first
    expect(new Set(error.issues.map((issue) => issue.code))).toEqual(
      new Set(["dangling_next", "no_exit", "unreachable_node", "unknown_event"]),
    );
    expect((await getVersion(database.db, workspaceId, created.journey.id, 1)).status).toBe("draft");
  });

  it("validates against the catalog as it is at activation time", async () => {
    const created = await newJourney();
    await database.db.execute(
      sql`update channel_settings set enabled = false where workspace_id = ${workspaceId} and channel = 'sms'`,
    );
    const error = await expectVersionError(
      activateVersion(database.db, {
        workspaceId,
        journeyId: created.journey.id,
        version: 1,
        actor: "key_admin",
      }),
      "invalid_journey",
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ path: "$.nodes[1].channel", code: "unknown_channel" }),
    ]);
  });

  it("activating version N+1 archives the previous version while its customers finish", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    await activateVersion(database.db, { workspaceId, journeyId, version: 1, actor: "key_admin" }, { now });
    const inFlight = await insertInstance(created.version.id, journeyId, "wait_day");
    await saveDraft(database.db, {
      workspaceId,
      journeyId,
      definition: { ...checkoutJourney(), priority: 70 },
      author: "key_cx",
    });
    const result = await activateVersion(
      database.db,
      { workspaceId, journeyId, version: 2, actor: "key_admin" },
      { now },
    );
    if (result.outcome !== "activated") throw new Error("expected activation");
    expect(result.archived).toMatchObject({ version: 1, status: "archived", archivedAt: NOW });
    expect(result.version).toMatchObject({ version: 2, status: "active" });
    const [instance] = await rows<{ status: string; node_id: string }>(
      database.db,
      sql`select status, node_id from journey_instances where id = ${inFlight}`,
    );
    expect(instance).toEqual({ status: "running", node_id: "wait_day" });
    expect(await inFlightCount(database.db, created.version.id)).toBe(1);
    expect((await liveVersion(database.db, workspaceId, journeyId))?.version).toBe(2);
    const summary = (await listJourneys(database.db, workspaceId)).find(
      (journey) => journey.id === journeyId,
    );
    expect(summary).toMatchObject({
      latestVersion: 2,
      latestStatus: "active",
      liveVersion: 2,
      liveStatus: "active",
    });
  });

  it("activating a new version also replaces a paused one", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    await activateVersion(database.db, { workspaceId, journeyId, version: 1, actor: "a" });
    await pauseVersion(database.db, { workspaceId, journeyId, version: 1, actor: "a" });
    await saveDraft(database.db, { workspaceId, journeyId, definition: checkoutJourney(), author: "c" });
    await activateVersion(database.db, { workspaceId, journeyId, version: 2, actor: "a" });
    const statuses = (await listVersions(database.db, workspaceId, journeyId)).map((v) => [
      v.version,
      v.status,
    ]);
    expect(statuses).toEqual([
      [1, "archived"],
      [2, "active"],
    ]);
  });

  it("calls the status-change hooks inside the transaction, previous version first", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    const changes: Array<Pick<StatusChange, "version" | "from" | "to" | "actor">> = [];
    const onStatusChange = async (tx: Parameters<typeof rows>[0], change: StatusChange) => {
      // the hook sees the new status in the same transaction
      const [row] = await rows<{ status: string }>(
        tx,
        sql`select status from journey_versions where id = ${change.versionId}`,
      );
      expect(row?.status).toBe(change.to);
      changes.push({ version: change.version, from: change.from, to: change.to, actor: change.actor });
    };
    await activateVersion(
      database.db,
      { workspaceId, journeyId, version: 1, actor: "admin1" },
      { onStatusChange },
    );
    await saveDraft(database.db, { workspaceId, journeyId, definition: checkoutJourney(), author: "c" });
    await activateVersion(
      database.db,
      { workspaceId, journeyId, version: 2, actor: "admin2" },
      { onStatusChange },
    );
    await pauseVersion(
      database.db,
      { workspaceId, journeyId, version: 2, actor: "admin3" },
      { onStatusChange },
    );
    await resumeVersion(
      database.db,
      { workspaceId, journeyId, version: 2, actor: "admin4" },
      { onStatusChange },
    );
    expect(changes).toEqual([
      { version: 1, from: "draft", to: "active", actor: "admin1" },
      { version: 1, from: "active", to: "archived", actor: "admin2" },
      { version: 2, from: "draft", to: "active", actor: "admin2" },
      { version: 2, from: "active", to: "paused", actor: "admin3" },
      { version: 2, from: "paused", to: "active", actor: "admin4" },
    ]);
  });

  it("a failing hook rolls the whole status change back", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    const failing = async () => {
      throw new Error("schedule sync failed");
    };
    await expect(
      activateVersion(
        database.db,
        { workspaceId, journeyId, version: 1, actor: "a" },
        { onStatusChange: failing },
      ),
    ).rejects.toThrow("schedule sync failed");
    expect((await getVersion(database.db, workspaceId, journeyId, 1)).status).toBe("draft");
  });

  it("an approval gate parks the version in pending_approval; an approved activation skips the gate", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    const reviews: string[] = [];
    const gate: ActivationGate = {
      async review(_tx, request) {
        reviews.push(`${request.actor}:v${request.version.version}`);
        return { proceed: false, approvalId: "apr_1", reason: "activations need a reviewer" };
      },
    };
    const parked = await activateVersion(
      database.db,
      { workspaceId, journeyId, version: 1, actor: "key_cx" },
      { gate },
    );
    expect(parked).toMatchObject({
      outcome: "pending_approval",
      approvalId: "apr_1",
      version: { status: "pending_approval" },
    });
    expect(await liveVersion(database.db, workspaceId, journeyId)).toBeNull();
    // asking again while pending does not duplicate the state change
    await activateVersion(database.db, { workspaceId, journeyId, version: 1, actor: "key_cx" }, { gate });
    const approved = await activateVersion(
      database.db,
      {
        workspaceId,
        journeyId,
        version: 1,
        actor: "key_cx",
        approval: { approvalId: "apr_1", approvedBy: "key_reviewer" },
      },
      { gate },
    );
    expect(approved).toMatchObject({ outcome: "activated", version: { status: "active" } });
    expect(reviews).toEqual(["key_cx:v1", "key_cx:v1"]);
  });

  it("a gate that lets the activation proceed activates directly", async () => {
    const created = await newJourney();
    const gate: ActivationGate = { review: async () => ({ proceed: true }) };
    const result = await activateVersion(
      database.db,
      { workspaceId, journeyId: created.journey.id, version: 1, actor: "a" },
      { gate },
    );
    expect(result.outcome).toBe("activated");
  });
});

describe("pause, resume, archive and stop", () => {
  it("pause and resume toggle an active version and stamp the time", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    await activateVersion(database.db, { workspaceId, journeyId, version: 1, actor: "a" }, { now });
    const paused = await pauseVersion(
      database.db,
      { workspaceId, journeyId, version: 1, actor: "a" },
      { now },
    );
    expect(paused).toMatchObject({ status: "paused", pausedAt: NOW });
    expect((await liveVersion(database.db, workspaceId, journeyId))?.status).toBe("paused");
    const resumed = await resumeVersion(
      database.db,
      { workspaceId, journeyId, version: 1, actor: "a" },
      { now },
    );
    expect(resumed).toMatchObject({ status: "active", pausedAt: null, activatedAt: NOW });
  });

  it("refuses transitions the lifecycle does not have, saying what to do instead", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    const input = { workspaceId, journeyId, version: 1, actor: "a" };
    await expectVersionError(pauseVersion(database.db, input), "invalid_transition");
    await expectVersionError(resumeVersion(database.db, input), "invalid_transition");
    await expectVersionError(stopVersion(database.db, { ...input, reason: "x" }), "invalid_transition");
    await activateVersion(database.db, input);
    const again = await expectVersionError(activateVersion(database.db, input), "invalid_transition");
    expect(again.message).toMatch(/already live/);
    await expectVersionError(resumeVersion(database.db, input), "invalid_transition");
    await pauseVersion(database.db, input);
    const whilePaused = await expectVersionError(activateVersion(database.db, input), "invalid_transition");
    expect(whilePaused.message).toMatch(/Resume it instead/);
    await archiveVersion(database.db, input);
    const archived = await expectVersionError(activateVersion(database.db, input), "invalid_transition");
    expect(archived.message).toMatch(/save a draft to create a new version/);
    await expectVersionError(archiveVersion(database.db, input), "invalid_transition");
    await expectVersionError(pauseVersion(database.db, input), "invalid_transition");
  });

  it("archive closes the version to entries and leaves in-flight customers running", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    await activateVersion(database.db, { workspaceId, journeyId, version: 1, actor: "a" });
    await insertInstance(created.version.id, journeyId, "wait_order");
    const archived = await archiveVersion(
      database.db,
      { workspaceId, journeyId, version: 1, actor: "a" },
      { now },
    );
    expect(archived).toMatchObject({ status: "archived", archivedAt: NOW });
    expect(await liveVersion(database.db, workspaceId, journeyId)).toBeNull();
    expect(await inFlightCount(database.db, created.version.id)).toBe(1);
  });

  it("archiving a draft discards it", async () => {
    const created = await newJourney();
    const archived = await archiveVersion(database.db, {
      workspaceId,
      journeyId: created.journey.id,
      version: 1,
      actor: "a",
    });
    expect(archived.status).toBe("archived");
  });

  it("stop archives the version, exits every in-flight instance with the reason and cancels undecided actions", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    const versionId = created.version.id;
    await activateVersion(database.db, { workspaceId, journeyId, version: 1, actor: "a" });
    const waiting = await insertInstance(versionId, journeyId, "wait_order");
    const parked = await insertInstance(versionId, journeyId, "sms", "parked");
    const finished = await insertInstance(versionId, journeyId, "done", "completed");
    await database.db.execute(
      sql`insert into actions (workspace_id, profile_id, instance_id, journey_id, version_id, node_id, kind, channel, payload, status, idempotency_key)
          values (${workspaceId}, 1, ${parked}, ${journeyId}, ${versionId}, 'sms', 'message', 'sms', '{}'::jsonb, 'review', ${`k-${parked}`}),
                 (${workspaceId}, 1, ${finished}, ${journeyId}, ${versionId}, 'sms', 'message', 'sms', '{}'::jsonb, 'sent', ${`k-${finished}`})`,
    );
    const result = await stopVersion(
      database.db,
      { workspaceId, journeyId, version: 1, actor: "key_admin", reason: "wrong discount" },
      { now },
    );
    expect(result).toMatchObject({ exited: 2, cancelledActions: 1, version: { status: "archived" } });
    const instances = await rows<{ id: number; status: string; exit_reason: string | null }>(
      database.db,
      sql`select id, status, exit_reason from journey_instances where version_id = ${versionId} order by id`,
    );
    expect(instances).toEqual([
      { id: waiting, status: "exited", exit_reason: "wrong discount" },
      { id: parked, status: "exited", exit_reason: "wrong discount" },
      { id: finished, status: "completed", exit_reason: null },
    ]);
    const log = await rows<{ instance_id: number; kind: string; detail: Record<string, unknown> }>(
      database.db,
      sql`select instance_id, kind, detail from instance_log where version_id = ${versionId} order by instance_id`,
    );
    expect(log).toEqual([
      { instance_id: waiting, kind: "exited", detail: { reason: "wrong discount", stopped_by: "key_admin" } },
      { instance_id: parked, kind: "exited", detail: { reason: "wrong discount", stopped_by: "key_admin" } },
    ]);
    const actionStatuses = await rows<{ status: string }>(
      database.db,
      sql`select status from actions where version_id = ${versionId} order by id`,
    );
    expect(actionStatuses.map((row) => row.status)).toEqual(["cancelled", "sent"]);
    const stats = await versionStats(database.db, result.version);
    expect(stats.nodes.find((node) => node.id === "wait_order")?.metrics.exited).toBe(1);
    expect(stats.nodes.find((node) => node.id === "sms")?.metrics.exited).toBe(1);
    expect(stats.journey.exited).toBe(2);
    expect(stats.instances).toMatchObject({ total: 3, exited: 2, completed: 1, running: 0 });
    // stopping the archived version again finds nobody left
    const again = await stopVersion(database.db, {
      workspaceId,
      journeyId,
      version: 1,
      actor: "a",
      reason: "again",
    });
    expect(again.exited).toBe(0);
  });
});

describe("version stats", () => {
  it("reads per-node counters, zero-fills the standard metrics and computes goal conversion", async () => {
    const created = await newJourney();
    const journeyId = created.journey.id;
    const versionId = created.version.id;
    await activateVersion(database.db, { workspaceId, journeyId, version: 1, actor: "a" });
    await database.db.execute(
      sql`insert into node_counters (version_id, node_id, metric, count) values
          (${versionId}, 'wait_order', 'entered', 4), (${versionId}, 'wait_order', 'waiting', 1),
          (${versionId}, 'sms', 'sent', 2), (${versionId}, 'sms', 'held', 1), (${versionId}, 'sms', 'deferred', 1),
          (${versionId}, 'done', 'exited', 3), (${versionId}, 'done', 'converted', 1)`,
    );
    for (const status of ["running", "completed", "completed", "exited"]) {
      await insertInstance(versionId, journeyId, "done", status);
    }
    await database.db.execute(
      sql`update journey_instances set converted_at = now() where id in (
            select id from journey_instances where version_id = ${versionId} and status = 'completed' limit 1)`,
    );
    const stats = await versionStats(database.db, await getVersion(database.db, workspaceId, journeyId, 1));
    expect(stats.nodes.map((node) => node.id)).toEqual(["wait_order", "sms", "wait_day", "email", "done"]);
    expect(stats.nodes[1]!.metrics).toEqual({
      entered: 0,
      waiting: 0,
      sent: 2,
      held: 1,
      skipped: 0,
      exited: 0,
      converted: 0,
      deferred: 1,
    });
    expect(stats.nodes[2]!.metrics.entered).toBe(0);
    expect(stats.instances).toEqual({
      total: 4,
      running: 1,
      parked: 0,
      completed: 2,
      exited: 1,
      converted: 1,
    });
    expect(stats.goal).toEqual({
      event: "Order Completed",
      within: "P7D",
      conversions: 1,
      conversionRate: 0.25,
    });
  });

  it("has no conversion rate before anyone entered", async () => {
    const created = await newJourney();
    const stats = await versionStats(database.db, created.version);
    expect(stats.goal?.conversionRate).toBeNull();
    expect(stats.instances.total).toBe(0);
  });
});
