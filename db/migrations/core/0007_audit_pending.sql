CREATE TABLE "audit_pending" (
	"tx" bigint PRIMARY KEY NOT NULL,
	"ids" bigint[] NOT NULL
);
--> statement-breakpoint
DROP INDEX "audit_log_unsealed_idx";