import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { IngestValidationError } from "./messages.ts";
import { ingestBatch, UnknownWorkspaceError } from "./pipeline.ts";
import { IngestService } from "./service.ts";
import { createTestWorkspace, RecordingSink } from "./test-server.ts";

let database: Database;

beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

interface ProfileRow {
  id: number;
  user_id: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
  merged_into: number | null;
}

async function profiles(workspaceId: string) {
  return rows<ProfileRow>(
    database.db,
    sql`select id, user_id, traits, consent, merged_into from profiles where workspace_id = ${workspaceId} order by id`,
  );
}

async function liveProfile(workspaceId: string, userId: string) {
  const [row] = await rows<ProfileRow>(
    database.db,
    sql`select p.id, p.user_id, p.traits, p.consent, p.merged_into from profile_identities i
        join profiles p on p.id = i.profile_id
        where i.workspace_id = ${workspaceId} and i.kind = 'user_id' and i.value = ${userId}`,
  );
  return row;
}

async function eventsOf(workspaceId: string) {
  return rows<{ profile_id: number; message_id: string; type: string; name: string | null }>(
    database.db,
    sql`select profile_id, message_id, type, name from events where workspace_id = ${workspaceId} order by id`,
  );
}

describe("ingestBatch", () => {
  it("processes a replayed batch once: same events, no second sink call for them", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const sink = new RecordingSink();
    const batch = [
      { type: "identify", userId: "u1", traits: { plan: "pro" }, messageId: "r-1" },
      { type: "track", userId: "u1", event: "Order Completed", properties: { total: 10 }, messageId: "r-2" },
    ];
    const first = await ingestBatch(database.db, workspaceId, batch, { sink });
    const replay = await ingestBatch(database.db, workspaceId, batch, { sink });
    expect(first).toMatchObject({ received: 2, stored: 2, duplicates: 0 });
    expect(replay).toMatchObject({ received: 2, stored: 0, duplicates: 2 });
    expect(await eventsOf(workspaceId)).toHaveLength(2);
    expect(sink.events.map((event) => event.messageId)).toEqual(["r-1", "r-2"]);
  });

  it("counts a messageId repeated inside one batch once (the first occurrence wins)", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const result = await ingestBatch(database.db, workspaceId, [
      { type: "track", userId: "u1", event: "First", messageId: "same" },
      { type: "track", userId: "u1", event: "Second", messageId: "same" },
    ]);
    expect(result).toMatchObject({ stored: 1, duplicates: 1 });
    expect((await eventsOf(workspaceId)).map((event) => event.name)).toEqual(["First"]);
  });

  it("dedupes per workspace: the same messageId in two workspaces is two events", async () => {
    const a = await createTestWorkspace(database.db);
    const b = await createTestWorkspace(database.db);
    const call = { type: "track", userId: "u1", event: "x", messageId: "shared-id" };
    await ingestBatch(database.db, a.workspaceId, [call]);
    const second = await ingestBatch(database.db, b.workspaceId, [call]);
    expect(second.stored).toBe(1);
  });

  it("merges an anonymous history into the user on identify; the user's traits win", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const sink = new RecordingSink();
    await ingestBatch(
      database.db,
      workspaceId,
      [
        { type: "identify", anonymousId: "anon-1", traits: { plan: "free", color: "red" }, messageId: "a1" },
        { type: "page", anonymousId: "anon-1", name: "Pricing", messageId: "a2" },
      ],
      { sink },
    );
    await ingestBatch(database.db, workspaceId, [
      {
        type: "identify",
        userId: "user-1",
        traits: { plan: "pro", email: "u@example.com" },
        messageId: "u1",
      },
    ]);
    const before = await profiles(workspaceId);
    expect(before).toHaveLength(2);
    const merged = await ingestBatch(
      database.db,
      workspaceId,
      [{ type: "identify", userId: "user-1", anonymousId: "anon-1", messageId: "link" }],
      { sink },
    );
    const anonymousId = before.find((row) => row.user_id === null)!.id;
    const userProfileId = before.find((row) => row.user_id === "user-1")!.id;
    expect(merged.merges).toEqual([{ from: anonymousId, into: userProfileId }]);
    expect(sink.merges).toEqual([{ from: anonymousId, into: userProfileId }]);
    const live = await liveProfile(workspaceId, "user-1");
    expect(live?.traits).toEqual({ plan: "pro", color: "red", email: "u@example.com" });
    const after = await profiles(workspaceId);
    expect(after.find((row) => row.id === anonymousId)?.merged_into).toBe(userProfileId);
    expect(new Set((await eventsOf(workspaceId)).map((event) => event.profile_id))).toEqual(
      new Set([userProfileId]),
    );
    // the identify that merged carries the trait change for trait_changed triggers
    const link = sink.events.find((event) => event.messageId === "link");
    expect(link?.traitsBefore).toEqual({ plan: "pro", email: "u@example.com" });
    expect(link?.traitsAfter).toEqual({ plan: "pro", color: "red", email: "u@example.com" });
    // later anonymous calls land on the user
    const later = await ingestBatch(database.db, workspaceId, [
      { type: "track", anonymousId: "anon-1", event: "Product Viewed", messageId: "later" },
    ]);
    expect(later.events[0]).toMatchObject({ profileId: userProfileId, userId: "user-1" });
  });

  it("turns an anonymous profile into the user's when the user is new (no merge needed)", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    await ingestBatch(database.db, workspaceId, [
      { type: "track", anonymousId: "visitor", event: "Product Viewed", messageId: "v1" },
    ]);
    const result = await ingestBatch(database.db, workspaceId, [
      {
        type: "identify",
        userId: "new-user",
        anonymousId: "visitor",
        traits: { email: "n@example.com" },
        messageId: "v2",
      },
    ]);
    expect(result.merges).toEqual([]);
    const all = await profiles(workspaceId);
    expect(all).toEqual([
      expect.objectContaining({ user_id: "new-user", traits: { email: "n@example.com" } }),
    ]);
  });

  it("merges two anonymous ids of one person (two devices) into the user", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    await ingestBatch(database.db, workspaceId, [
      { type: "track", anonymousId: "phone", event: "App Opened", messageId: "p1" },
      { type: "track", anonymousId: "laptop", event: "Product Viewed", messageId: "l1" },
    ]);
    expect(await profiles(workspaceId)).toHaveLength(2);
    await ingestBatch(database.db, workspaceId, [
      { type: "identify", userId: "carol", anonymousId: "phone", messageId: "p2" },
    ]);
    const second = await ingestBatch(database.db, workspaceId, [
      { type: "identify", userId: "carol", anonymousId: "laptop", messageId: "l2" },
    ]);
    expect(second.merges).toHaveLength(1);
    const live = await liveProfile(workspaceId, "carol");
    const events = await eventsOf(workspaceId);
    expect(events.every((event) => event.profile_id === live?.id)).toBe(true);
    const identities = await rows<{ kind: string; value: string; profile_id: number }>(
      database.db,
      sql`select kind, value, profile_id from profile_identities where workspace_id = ${workspaceId} order by value`,
    );
    expect(identities.map((row) => [row.kind, row.value, row.profile_id])).toEqual([
      ["user_id", "carol", live?.id],
      ["anonymous_id", "laptop", live?.id],
      ["anonymous_id", "phone", live?.id],
    ]);
  });

  it("alias merges the previous id's profile into the user, even inside one batch", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    await ingestBatch(database.db, workspaceId, [
      { type: "identify", userId: "dave", traits: { tier: "vip" }, messageId: "d1" },
      {
        type: "identify",
        anonymousId: "cookie-9",
        traits: { tier: "regular", source: "ad" },
        messageId: "c1",
      },
    ]);
    const result = await ingestBatch(database.db, workspaceId, [
      { type: "alias", previousId: "cookie-9", userId: "dave", messageId: "alias-1" },
      { type: "track", anonymousId: "cookie-9", event: "Checkout Started", messageId: "c2" },
    ]);
    expect(result.merges).toHaveLength(1);
    const live = await liveProfile(workspaceId, "dave");
    expect(live?.traits).toEqual({ tier: "vip", source: "ad" });
    expect(result.events.map((event) => event.profileId)).toEqual([live?.id, live?.id]);
  });

  it("alias renames a user when the new id has no profile yet", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    await ingestBatch(database.db, workspaceId, [{ type: "identify", userId: "old-id", messageId: "o1" }]);
    await ingestBatch(database.db, workspaceId, [
      { type: "alias", previousId: "old-id", userId: "new-id", messageId: "o2" },
    ]);
    const all = await profiles(workspaceId);
    expect(all).toHaveLength(1);
    expect(all[0]?.user_id).toBe("new-id");
    expect((await liveProfile(workspaceId, "old-id"))?.id).toBe(all[0]?.id);
  });

  it("never merges two identified users through a shared anonymousId", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    await ingestBatch(database.db, workspaceId, [
      { type: "identify", userId: "erin", anonymousId: "shared-browser", messageId: "e1" },
      { type: "identify", userId: "frank", anonymousId: "shared-browser", messageId: "f1" },
    ]);
    const all = await profiles(workspaceId);
    expect(all.map((row) => row.user_id).sort()).toEqual(["erin", "frank"]);
    expect(all.every((row) => row.merged_into === null)).toBe(true);
  });

  it("resolves conflicting traits inside one batch in call order", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const sink = new RecordingSink();
    await ingestBatch(
      database.db,
      workspaceId,
      [
        { type: "identify", userId: "gina", traits: { plan: "free", city: "Oslo" }, messageId: "g1" },
        { type: "identify", userId: "gina", traits: { plan: "pro" }, messageId: "g2" },
        { type: "identify", userId: "gina", traits: { plan: "pro" }, messageId: "g3" },
      ],
      { sink },
    );
    expect((await liveProfile(workspaceId, "gina"))?.traits).toEqual({ plan: "pro", city: "Oslo" });
    expect(sink.events.map((event) => [event.traitsBefore, event.traitsAfter])).toEqual([
      [{}, { plan: "free", city: "Oslo" }],
      [
        { plan: "free", city: "Oslo" },
        { plan: "pro", city: "Oslo" },
      ],
      [undefined, undefined],
    ]);
  });

  it("maps consent from traits.consent, categoryPreferences and (Un)Subscribed events; opt-out wins on merge", async () => {
    const { workspaceId } = await createTestWorkspace(database.db, {
      consent_categories: { Marketing: ["email", "push"] },
    });
    await ingestBatch(database.db, workspaceId, [
      { type: "identify", userId: "hana", traits: { consent: { email: true, sms: true } }, messageId: "h1" },
      {
        type: "track",
        userId: "hana",
        event: "Page Viewed",
        context: { consent: { categoryPreferences: { Marketing: true, Analytics: false } } },
        messageId: "h2",
      },
      {
        type: "track",
        userId: "hana",
        event: "Unsubscribed",
        properties: { channel: "sms" },
        messageId: "h3",
      },
      {
        type: "track",
        userId: "hana",
        event: "Subscribed",
        properties: { channel: ["in_app"] },
        messageId: "h4",
      },
    ]);
    const hana = await liveProfile(workspaceId, "hana");
    expect(hana?.consent).toEqual({ email: true, sms: false, push: true, in_app: true });
    expect(hana?.traits).toEqual({});

    await ingestBatch(database.db, workspaceId, [
      { type: "track", anonymousId: "hana-phone", event: "Unsubscribed", messageId: "h5" },
      { type: "identify", userId: "hana", anonymousId: "hana-phone", messageId: "h6" },
    ]);
    expect((await liveProfile(workspaceId, "hana"))?.consent).toMatchObject({ email: false, push: true });
  });

  it("stores the call's fields: context, traits, group and alias ids, event time", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    await ingestBatch(database.db, workspaceId, [
      {
        type: "group",
        userId: "ivan",
        groupId: "acme",
        traits: { employees: 420 },
        timestamp: "2024-05-01T10:00:00+02:00",
        context: { ip: "8.8.8.8" },
        messageId: "i1",
      },
    ]);
    const [row] = await rows<{
      properties: Record<string, unknown>;
      traits: Record<string, unknown>;
      context: Record<string, unknown>;
      timestamp: string;
    }>(
      database.db,
      sql`select properties, traits, context, timestamp from events where workspace_id = ${workspaceId}`,
    );
    expect(row?.properties).toEqual({ groupId: "acme" });
    expect(row?.traits).toEqual({ employees: 420 });
    expect(row?.context).toEqual({ ip: "8.8.8.8" });
    expect(new Date(row!.timestamp).toISOString()).toBe("2024-05-01T08:00:00.000Z");
    const ivan = await liveProfile(workspaceId, "ivan");
    expect(ivan?.traits).toEqual({});
  });

  it("writes last_event_at when it moves by a minute or more, so a burst of events is one profile write", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const track = (second: number, messageId: string) => ({
      type: "track",
      userId: "burst",
      event: "Product Viewed",
      timestamp: new Date(Date.UTC(2026, 2, 2, 9, 0, second)).toISOString(),
      messageId,
    });
    const lastSeen = async () => {
      const [row] = await rows<{ last: string; updated: string }>(
        database.db,
        sql`select to_char(last_event_at at time zone 'UTC', 'HH24:MI:SS') as last, xmin::text as updated
            from profiles where workspace_id = ${workspaceId} and user_id = 'burst'`,
      );
      return row!;
    };
    await ingestBatch(database.db, workspaceId, [track(0, "b0")]);
    const first = await lastSeen();
    expect(first.last).toBe("09:00:00");
    await ingestBatch(database.db, workspaceId, [track(20, "b1"), track(59, "b2")]);
    expect(await lastSeen()).toEqual(first); // the row was not written at all
    await ingestBatch(database.db, workspaceId, [track(30, "b3"), track(61, "b4")]);
    expect((await lastSeen()).last).toBe("09:01:01");
    // an identify writes the profile anyway; its last_event_at keeps the one-minute resolution
    await ingestBatch(database.db, workspaceId, [
      {
        type: "identify",
        userId: "burst",
        traits: { plan: "pro" },
        timestamp: "2026-03-02T09:01:30Z",
        messageId: "b5",
      },
    ]);
    expect((await lastSeen()).last).toBe("09:01:01");
    expect((await liveProfile(workspaceId, "burst"))?.traits).toEqual({ plan: "pro" });
  });

  it("rejects a batch with an invalid call whole: nothing stored, nothing deduped", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const batch = [
      { type: "track", userId: "u1", event: "ok", messageId: "w1" },
      { type: "track", userId: "u1", messageId: "w2" },
    ];
    await expect(ingestBatch(database.db, workspaceId, batch)).rejects.toBeInstanceOf(IngestValidationError);
    expect(await eventsOf(workspaceId)).toEqual([]);
    const fixed = await ingestBatch(database.db, workspaceId, [batch[0]!, { ...batch[1]!, event: "fixed" }]);
    expect(fixed.stored).toBe(2);
  });

  it("rolls back everything when the sink fails, so a retry is processed", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const failing = {
      onEvents: async () => {
        throw new Error("runtime unavailable");
      },
      onProfilesMerged: async () => undefined,
    };
    const batch = [{ type: "track", userId: "u1", event: "x", messageId: "s1" }];
    await expect(ingestBatch(database.db, workspaceId, batch, { sink: failing })).rejects.toThrow(
      /unavailable/,
    );
    expect(await eventsOf(workspaceId)).toEqual([]);
    expect((await ingestBatch(database.db, workspaceId, batch)).stored).toBe(1);
  });

  it("refuses an unknown workspace", async () => {
    await expect(
      ingestBatch(database.db, "ws_missing", [{ type: "track", userId: "u1", event: "x" }]),
    ).rejects.toBeInstanceOf(UnknownWorkspaceError);
  });
});

describe("dedupe window", () => {
  it("treats a replay as a duplicate for as long as its event is stored, past the window too", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    let now = new Date("2026-03-01T00:00:00Z");
    const service = new IngestService({ database, now: () => now, dedupeDays: 30 });
    const call = { type: "track", userId: "u1", event: "x", messageId: "window-1" };
    expect((await service.ingest(workspaceId, [call], { mode: "batch" })).stored).toBe(1);
    now = new Date("2026-05-01T00:00:00Z");
    await service.purgeExpiredMessageIds();
    expect((await service.ingest(workspaceId, [call], { mode: "batch" })).stored).toBe(0);
    expect(await eventsOf(workspaceId)).toHaveLength(1);
  });

  it("remembers the messageId of an event deleted inside OVERTURE_DEDUPE_DAYS, so only then a replay is new", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    let now = new Date("2026-03-01T00:00:00Z");
    const service = new IngestService({ database, now: () => now, dedupeDays: 30 });
    const call = { type: "track", userId: "u1", event: "x", messageId: "window-2" };
    await service.ingest(workspaceId, [call], { mode: "batch" });
    await database.db.execute(sql`delete from events where workspace_id = ${workspaceId}`);
    now = new Date("2026-03-30T00:00:00Z");
    await service.purgeExpiredMessageIds();
    expect((await service.ingest(workspaceId, [call], { mode: "batch" })).stored).toBe(0);
    now = new Date("2026-04-01T00:00:00Z");
    expect(await service.purgeExpiredMessageIds()).toBeGreaterThanOrEqual(1);
    expect((await service.ingest(workspaceId, [call], { mode: "batch" })).stored).toBe(1);
  });
});
