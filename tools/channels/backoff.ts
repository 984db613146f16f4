export interface RetryPolicy {
  /** attempts before a retryable failure becomes a dead letter (default 8) */
  maxAttempts: number;
  /** delay after the first failed attempt (default 30 s); doubles each attempt */
  baseDelayMs: number;
  /** ceiling of one delay (default 1 h) */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
};

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, half is random, so
 * rows that failed together (a provider outage) do not all come back in the same second, yet no
 * retry comes sooner than half its nominal delay. A provider's Retry-After is a floor.
 */
export function retryDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponent = Math.max(0, attempts - 1);
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  const jittered = nominal / 2 + (random() * nominal) / 2;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
