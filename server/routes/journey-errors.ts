import type { ContentfulStatusCode } from "hono/utils/http-status";
import { JourneyVersionError, type VersionErrorCode } from "../../journeys/versions.ts";
import { ApiError } from "../errors.ts";
import { issuesJson } from "./api-schemas.ts";

const STATUS: Record<VersionErrorCode, ContentfulStatusCode> = {
  journey_not_found: 404,
  version_not_found: 404,
  invalid_definition: 400,
  invalid_journey: 422,
  immutable_version: 409,
  invalid_transition: 409,
};

const FIELD: Partial<Record<VersionErrorCode, string>> = {
  journey_not_found: "id",
  version_not_found: "version",
  immutable_version: "version",
  invalid_transition: "version",
};

/**
 * Lifecycle errors as API errors: the status for the code, and for journey problems the first
 * error's path as `field` (e.g. `definition.nodes[2].next`) with every issue listed.
 */
export function toApiError(error: JourneyVersionError, definitionField = "definition"): ApiError {
  const firstError = error.issues.find((issue) => issue.severity === "error") ?? error.issues[0];
  const field =
    firstError && (error.code === "invalid_definition" || error.code === "invalid_journey")
      ? firstError.path.startsWith("$.drafted_by")
        ? "draftedBy"
        : `${definitionField}${firstError.path.slice(1)}`
      : FIELD[error.code];
  return new ApiError(
    STATUS[error.code],
    error.code,
    error.message,
    field,
    error.issues.length > 0 ? { issues: issuesJson(error.issues) } : undefined,
  );
}

/** Runs a lifecycle call, turning its typed errors into API errors. */
export async function lifecycle<T>(work: () => Promise<T>, definitionField?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof JourneyVersionError) throw toApiError(error, definitionField);
    throw error;
  }
}
