ALTER TABLE "journey_instances" ADD COLUMN "state" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_schedules" ADD COLUMN "running_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "journey_schedules" ADD COLUMN "cursor" bigint;--> statement-breakpoint
CREATE INDEX "actions_version_idx" ON "actions" USING btree ("version_id","status");