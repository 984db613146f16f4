ALTER TABLE "handoff_tasks" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "handoff_tasks" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "handoff_tasks" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "last_error_code" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "adapter" text;