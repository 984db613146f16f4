import type { RunnableConfig } from "@langchain/core/runnables";
import type {
  ChannelVersions,
  Checkpoint,
  CheckpointListOptions,
  CheckpointMetadata,
  CheckpointPendingWrite,
  CheckpointTuple,
  PendingWrite,
  SerializerProtocol,
} from "@langchain/langgraph-checkpoint";
import {
  BaseCheckpointSaver,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  TASKS,
  WRITES_IDX_MAP,
  writesSortKey,
} from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { SQL } from "drizzle-orm";
import { and, asc, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/open.ts";
import { designCheckpointBlobs, designCheckpoints, designCheckpointWrites } from "../../db/schema/designs.ts";

/**
 * Where designer threads are checkpointed, so a design survives a restart in both storage modes:
 *
 * - PostgreSQL (`DATABASE_URL`): LangGraph's own PostgresSaver on the node-postgres pool, its
 *   tables in the `langgraph` schema (so drizzle never mistakes them for its own).
 * - Embedded PGlite: `DbCheckpointSaver`, a saver over the project's drizzle layer that passes
 *   `@langchain/langgraph-checkpoint-validation`'s conformance suite. PostgresSaver would need
 *   PGlite served over the wire by pglite-socket, which serves a single session: a checkpoint write
 *   on the socket's connection would wait behind any transaction the app holds on the in-process
 *   client (and vice versa), the hang STACK.md warns about. The project's own saver shares the one
 *   in-process client instead, and its tables come with the project's migrations.
 */

type WriteRow = typeof designCheckpointWrites.$inferSelect;
type CheckpointRow = typeof designCheckpoints.$inferSelect;

export class DbCheckpointSaver extends BaseCheckpointSaver {
  constructor(
    private readonly db: Executor,
    serde?: SerializerProtocol,
  ) {
    super(serde);
  }

  private async writesOf(threadId: string, ns: string, checkpointId: string): Promise<WriteRow[]> {
    const found = await this.db
      .select()
      .from(designCheckpointWrites)
      .where(
        and(
          eq(designCheckpointWrites.threadId, threadId),
          eq(designCheckpointWrites.checkpointNs, ns),
          eq(designCheckpointWrites.checkpointId, checkpointId),
        ),
      );
    return found.sort((a, b) =>
      compareWritesSortKeys(
        writesSortKey(a.taskPath, a.taskId, a.idx),
        writesSortKey(b.taskPath, b.taskId, b.idx),
      ),
    );
  }

  private async pendingWrites(
    threadId: string,
    ns: string,
    checkpointId: string,
  ): Promise<CheckpointPendingWrite[]> {
    const found = await this.writesOf(threadId, ns, checkpointId);
    return Promise.all(
      found.map(
        async (row): Promise<CheckpointPendingWrite> => [
          row.taskId,
          row.channel,
          await this.serde.loadsTyped(row.type, row.value),
        ],
      ),
    );
  }

  /** Checkpoints written before format v4 kept pending sends as writes of the parent. */
  private async migratePendingSends(checkpoint: Checkpoint, row: CheckpointRow): Promise<void> {
    if (checkpoint.v >= 4 || row.parentCheckpointId === null) return;
    const parentWrites = await this.writesOf(row.threadId, row.checkpointNs, row.parentCheckpointId);
    const sends = await Promise.all(
      parentWrites
        .filter((write) => write.channel === TASKS)
        .map((write) => this.serde.loadsTyped(write.type, write.value)),
    );
    checkpoint.channel_values ??= {};
    checkpoint.channel_values[TASKS] = sends;
    checkpoint.channel_versions ??= {};
    checkpoint.channel_versions[TASKS] =
      Object.keys(checkpoint.channel_versions).length > 0
        ? maxChannelVersion(...Object.values(checkpoint.channel_versions))
        : this.getNextVersion(undefined);
  }

  /** The value of every channel at the version the checkpoint names (a delta store, like PostgresSaver). */
  private async channelValues(
    row: CheckpointRow,
    versions: ChannelVersions,
  ): Promise<Record<string, unknown>> {
    const wanted = Object.entries(versions ?? {});
    if (wanted.length === 0) return {};
    const found = await this.db
      .select()
      .from(designCheckpointBlobs)
      .where(
        and(
          eq(designCheckpointBlobs.threadId, row.threadId),
          eq(designCheckpointBlobs.checkpointNs, row.checkpointNs),
          or(
            ...wanted.map(([channel, version]) =>
              and(
                eq(designCheckpointBlobs.channel, channel),
                eq(designCheckpointBlobs.version, String(version)),
              ),
            ),
          ),
        ),
      );
    const values: Record<string, unknown> = {};
    for (const blob of found) {
      if (blob.type === "empty" || blob.blob === null) continue;
      values[blob.channel] = await this.serde.loadsTyped(blob.type, blob.blob);
    }
    return values;
  }

  private async toTuple(row: CheckpointRow): Promise<CheckpointTuple> {
    const stored = (await this.serde.loadsTyped(row.type, row.checkpoint)) as Checkpoint;
    const checkpoint: Checkpoint = {
      ...stored,
      channel_versions: stored.channel_versions ?? {},
      versions_seen: stored.versions_seen ?? {},
      channel_values: await this.channelValues(row, stored.channel_versions ?? {}),
    };
    await this.migratePendingSends(checkpoint, row);
    const tuple: CheckpointTuple = {
      config: {
        configurable: {
          thread_id: row.threadId,
          checkpoint_ns: row.checkpointNs,
          checkpoint_id: row.checkpointId,
        },
      },
      checkpoint,
      metadata: (await this.serde.loadsTyped(row.metadataType, row.metadata)) as CheckpointMetadata,
      pendingWrites: await this.pendingWrites(row.threadId, row.checkpointNs, row.checkpointId),
    };
    if (row.parentCheckpointId !== null) {
      tuple.parentConfig = {
        configurable: {
          thread_id: row.threadId,
          checkpoint_ns: row.checkpointNs,
          checkpoint_id: row.parentCheckpointId,
        },
      };
    }
    return tuple;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id;
    if (typeof threadId !== "string") return undefined;
    const ns: string = config.configurable?.checkpoint_ns ?? "";
    const checkpointId = getCheckpointId(config);
    const conditions = [eq(designCheckpoints.threadId, threadId), eq(designCheckpoints.checkpointNs, ns)];
    if (checkpointId) conditions.push(eq(designCheckpoints.checkpointId, checkpointId));
    const [row] = await this.db
      .select()
      .from(designCheckpoints)
      .where(and(...conditions))
      .orderBy(desc(designCheckpoints.checkpointId))
      .limit(1);
    if (!row) return undefined;
    const tuple = await this.toTuple(row);
    // A lookup by id answers with the config it was asked with (as LangGraph's own savers do).
    return checkpointId ? { ...tuple, config } : tuple;
  }

  async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const conditions: SQL[] = [];
    const threadId = config.configurable?.thread_id;
    const ns = config.configurable?.checkpoint_ns;
    const checkpointId = config.configurable?.checkpoint_id;
    const before = options?.before?.configurable?.checkpoint_id;
    if (threadId !== undefined) conditions.push(eq(designCheckpoints.threadId, String(threadId)));
    if (ns !== undefined) conditions.push(eq(designCheckpoints.checkpointNs, String(ns)));
    if (checkpointId) conditions.push(eq(designCheckpoints.checkpointId, String(checkpointId)));
    if (before) conditions.push(lt(designCheckpoints.checkpointId, String(before)));
    const found = await this.db
      .select()
      .from(designCheckpoints)
      .where(conditions.length > 0 ? and(...conditions) : sql`true`)
      .orderBy(
        asc(designCheckpoints.threadId),
        asc(designCheckpoints.checkpointNs),
        desc(designCheckpoints.checkpointId),
      );
    let remaining = options?.limit;
    for (const row of found) {
      if (remaining !== undefined && remaining <= 0) break;
      const tuple = await this.toTuple(row);
      const filter = options?.filter;
      if (filter) {
        const metadata = (tuple.metadata ?? {}) as Record<string, unknown>;
        if (!Object.entries(filter).every(([key, value]) => metadata[key] === value)) continue;
      }
      if (remaining !== undefined) remaining--;
      yield tuple;
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id;
    if (typeof threadId !== "string") {
      throw new Error("put needs configurable.thread_id: run the graph with { configurable: { thread_id } }");
    }
    const ns: string = config.configurable?.checkpoint_ns ?? "";
    // Only the channels this step changed get a blob; the others keep the one of their version.
    const { channel_values: channelValues, ...withoutValues } = copyCheckpoint(checkpoint);
    const blobs = await Promise.all(
      Object.entries(newVersions).map(async ([channel, version]) => {
        const [blobType, blob] =
          channel in channelValues ? await this.serde.dumpsTyped(channelValues[channel]) : ["empty", null];
        return { threadId, checkpointNs: ns, channel, version: String(version), type: blobType, blob };
      }),
    );
    const [[type, serialized], [metadataType, serializedMetadata]] = await Promise.all([
      this.serde.dumpsTyped(withoutValues),
      this.serde.dumpsTyped(metadata),
    ]);
    const values = {
      threadId,
      checkpointNs: ns,
      checkpointId: checkpoint.id,
      parentCheckpointId: config.configurable?.checkpoint_id ?? null,
      type,
      checkpoint: serialized,
      metadataType,
      metadata: serializedMetadata,
    };
    if (blobs.length > 0) await this.db.insert(designCheckpointBlobs).values(blobs).onConflictDoNothing();
    await this.db
      .insert(designCheckpoints)
      .values(values)
      .onConflictDoUpdate({
        target: [designCheckpoints.threadId, designCheckpoints.checkpointNs, designCheckpoints.checkpointId],
        set: {
          parentCheckpointId: values.parentCheckpointId,
          type,
          checkpoint: serialized,
          metadataType,
          metadata: serializedMetadata,
        },
      });
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    const threadId = config.configurable?.thread_id;
    const checkpointId = config.configurable?.checkpoint_id;
    if (typeof threadId !== "string" || typeof checkpointId !== "string") {
      throw new Error("putWrites needs configurable.thread_id and configurable.checkpoint_id");
    }
    const ns: string = config.configurable?.checkpoint_ns ?? "";
    const rows = await Promise.all(
      writes.map(async ([channel, value], index) => {
        const [type, serialized] = await this.serde.dumpsTyped(value);
        return {
          threadId,
          checkpointNs: ns,
          checkpointId,
          taskId,
          idx: WRITES_IDX_MAP[channel] || index,
          channel,
          type,
          value: serialized,
          taskPath: taskPath ?? "",
        };
      }),
    );
    const target = [
      designCheckpointWrites.threadId,
      designCheckpointWrites.checkpointNs,
      designCheckpointWrites.checkpointId,
      designCheckpointWrites.taskId,
      designCheckpointWrites.idx,
    ];
    // Regular writes are written once (a retried task must not change them); special ones
    // (errors, interrupts, resumes: negative indexes) are replaced by the latest.
    const regular = rows.filter((row) => row.idx >= 0);
    const special = rows.filter((row) => row.idx < 0);
    if (regular.length > 0)
      await this.db.insert(designCheckpointWrites).values(regular).onConflictDoNothing({ target });
    for (const row of special) {
      await this.db
        .insert(designCheckpointWrites)
        .values(row)
        .onConflictDoUpdate({
          target,
          set: { channel: row.channel, type: row.type, value: row.value, taskPath: row.taskPath },
        });
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.db.delete(designCheckpointWrites).where(eq(designCheckpointWrites.threadId, threadId));
    await this.db.delete(designCheckpointBlobs).where(eq(designCheckpointBlobs.threadId, threadId));
    await this.db.delete(designCheckpoints).where(eq(designCheckpoints.threadId, threadId));
  }
}

export const LANGGRAPH_SCHEMA = "langgraph";

/** The checkpointer for this database: PostgresSaver on a pg pool, the project's saver on PGlite. */
export async function createCheckpointer(database: Database): Promise<BaseCheckpointSaver> {
  if (database.kind === "postgres" && database.pool) {
    const saver = new PostgresSaver(database.pool, undefined, { schema: LANGGRAPH_SCHEMA });
    await saver.setup();
    return saver;
  }
  return new DbCheckpointSaver(database.db);
}
