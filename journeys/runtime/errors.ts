/** Expected failures of runtime calls, with stable codes the API maps to 4xx answers. */
export type RuntimeErrorCode =
  | "profile_not_found"
  | "journey_not_active"
  | "not_api_triggered"
  | "instance_not_found"
  | "instance_not_parked";

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RuntimeError";
  }
}
