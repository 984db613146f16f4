import type {
  ActionRequest as LangGraphActionRequest,
  HumanInterrupt as LangGraphHumanInterrupt,
  HumanResponse as LangGraphHumanResponse,
} from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import type { APPROVAL_KINDS, ApprovalStatus } from "../../db/schema/policies.ts";
import type { ApiRole } from "../../db/schema/workspaces.ts";
import type { PolicyVerdict } from "../types.ts";

/**
 * The approval queue's contract, in LangGraph's human-in-the-loop shapes so that the designer graph
 * can `interrupt()` with an item and resume with its answer unchanged: an item is a HumanInterrupt
 * (`action_request {action, args}`, `config {allow_*}`, `description`), an answer a HumanResponse
 * (`accept | edit | response | ignore`). Answers are untrusted input and always parsed with zod.
 */

export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export const ActionRequestSchema = z
  .object({
    action: z.string().min(1).max(200),
    args: z.record(z.string(), z.unknown()),
  })
  .strict();

export const HumanInterruptSchema = z
  .object({
    action_request: ActionRequestSchema,
    config: z
      .object({
        allow_accept: z.boolean(),
        allow_edit: z.boolean(),
        allow_respond: z.boolean(),
        allow_ignore: z.boolean(),
      })
      .strict(),
    description: z.string().optional(),
  })
  .strict();
export type HumanInterrupt = z.infer<typeof HumanInterruptSchema>;

const reason = z.string().trim().max(2000).optional();

/**
 * A HumanResponse. `reason` is Overture's addition (LangGraph ignores unknown keys): why the person
 * decided, kept with the decision and in the audit log. `response` carries its note in `args`.
 */
export const HumanResponseSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("accept"), args: z.null().optional(), reason }).strict(),
    z.object({ type: z.literal("ignore"), args: z.null().optional(), reason }).strict(),
    z
      .object({
        type: z.literal("response"),
        args: z.string().trim().min(1, "a response needs a note for the author").max(4000),
        reason,
      })
      .strict(),
    z.object({ type: z.literal("edit"), args: ActionRequestSchema, reason }).strict(),
  ],
  { error: () => "type must be one of accept, edit, response, ignore" },
);
export type HumanResponse = z.infer<typeof HumanResponseSchema>;

// Compile-time proof that these are LangGraph's shapes (the designer passes them through unchanged).
type Assignable<A, B> = [A] extends [B] ? true : never;
const _interrupt: Assignable<HumanInterrupt, LangGraphHumanInterrupt> = true;
const _request: Assignable<z.infer<typeof ActionRequestSchema>, LangGraphActionRequest> = true;
const _response: Assignable<Omit<HumanResponse, "reason">, Partial<LangGraphHumanResponse>> = true;
void [_interrupt, _request, _response];

/** Who answers: the API key behind the request (policies/ knows no HTTP, so not server's Principal). */
export interface Approver {
  keyId: string;
  workspaceId: string;
  role: Exclude<ApiRole, "ingest">;
  name: string;
}

export interface ApprovalItem {
  id: string;
  workspaceId: string;
  kind: ApprovalKind;
  status: ApprovalStatus;
  request: HumanInterrupt;
  response: HumanResponse | null;
  /** the draft's author (a journey version's author; for action items the journey's) */
  author: string;
  /** the key that asked, when not the author (the cx_lead requesting activation, the designer's caller) */
  requestedBy: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  expiresAt: Date;
  createdAt: Date;
  actionId: number | null;
  journeyVersionId: string | null;
  designId: string | null;
}

/** What an answer did, beyond the item's new status. */
export type ApprovalEffect =
  | {
      kind: "journey_activation";
      /** the version's status after the answer: active (accepted / edited), draft, archived */
      versionStatus: string;
      journeyId: string;
      version: number;
    }
  | {
      kind: "action";
      /** queued (will be sent), denied (re-decided and refused), cancelled (ignored / expired) */
      actionStatus: "queued" | "denied" | "cancelled";
      /** the verdicts of the re-decision (accept / edit) */
      verdicts: PolicyVerdict[];
      /** when a quiet-hours deferral moved the delivery */
      deliverAt?: string | undefined;
      /** whether a parked journey instance was resumed */
      resumed: boolean;
    }
  | { kind: "none" };

export interface ApprovalDecidedEvent {
  item: ApprovalItem;
  effect: ApprovalEffect;
}

/** Called after the answer committed (the designer agent resumes its graph from here). */
export type ApprovalDecidedHook = (event: ApprovalDecidedEvent) => void | Promise<void>;

export const APPROVAL_ERROR_CODES = {
  approval_not_found: 404,
  /** the author of a draft (or the key that asked the designer) may not approve it */
  self_approval: 403,
  /** the item was already answered, expired or withdrawn */
  approval_closed: 409,
  /** the answer is not a HumanResponse (the error names the field) */
  invalid_response: 400,
  /** the item's config does not allow this kind of answer (e.g. respond on an action) */
  response_not_allowed: 400,
  /** the edited args do not parse (the error names the field) */
  invalid_edit: 400,
  /** the edited journey has validation errors */
  invalid_journey: 422,
  /** the edit now violates a policy: refused with the verdicts (or new lint warnings) */
  edit_violates_policy: 422,
  /** the journey runtime is not available in this process to resume the parked customer */
  runtime_unavailable: 503,
} as const;
export type ApprovalErrorCode = keyof typeof APPROVAL_ERROR_CODES;

/** An answer the caller can fix or must not repeat; never retryable as is. */
export class ApprovalError extends Error {
  readonly status: (typeof APPROVAL_ERROR_CODES)[ApprovalErrorCode];
  constructor(
    readonly code: ApprovalErrorCode,
    message: string,
    readonly details: {
      field?: string;
      verdicts?: PolicyVerdict[];
      issues?: Array<{ path: string; message: string; [key: string]: unknown }>;
    } = {},
  ) {
    super(message);
    this.name = "ApprovalError";
    this.status = APPROVAL_ERROR_CODES[code];
  }
}
