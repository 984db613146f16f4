import type { BadRequest } from "./bad-payloads.ts";

/**
 * The driving loop of the fuzz tests: send generated bad requests over real HTTP and sort the
 * answers by what a correct endpoint must never do (accept, fail with a 5xx, or answer without the
 * error shape). Each test keeps its own targets and its own checks of which field an error names.
 */

export interface FuzzTarget {
  /** default POST */
  method?: string;
  path: string;
  request: BadRequest;
}

export interface FuzzAnswer<T extends FuzzTarget = FuzzTarget> {
  target: T;
  status: number;
  /** the parsed JSON body, or the text when it was not JSON (for the failure message) */
  body: unknown;
}

export async function sendBadRequest<T extends FuzzTarget>(
  baseUrl: string,
  target: T,
): Promise<FuzzAnswer<T>> {
  const { request } = target;
  const response = await fetch(`${baseUrl}${target.path}`, {
    method: target.method ?? "POST",
    headers: request.headers,
    body: typeof request.body === "string" ? request.body : Buffer.from(request.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text: the assertions report it
  }
  return { target, status: response.status, body };
}

/** Sends every target, `concurrency` at a time; answers come in the order they arrive. */
export async function sendBadRequests<T extends FuzzTarget>(
  baseUrl: string,
  targets: readonly T[],
  concurrency: number,
): Promise<Array<FuzzAnswer<T>>> {
  const answers: Array<FuzzAnswer<T>> = [];
  const queue = [...targets];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let target = queue.shift(); target; target = queue.shift()) {
        answers.push(await sendBadRequest(baseUrl, target));
      }
    }),
  );
  return answers;
}

/** Answers that are not a 4xx: a bad request accepted, or a server error. */
export function notClientErrors<A extends FuzzAnswer>(answers: readonly A[]): A[] {
  return answers.filter((answer) => answer.status < 400 || answer.status >= 500);
}

/** Answers without `{ error: { code, message } }` whose message says something (10+ characters). */
export function unshapedErrors<A extends FuzzAnswer>(answers: readonly A[]): A[] {
  return answers.filter((answer) => {
    const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return typeof error?.code !== "string" || typeof error.message !== "string" || error.message.length < 10;
  });
}

/** How many answers had each status, for the run's summary line. */
export function statusCounts(answers: readonly FuzzAnswer[]): Record<number, number> {
  const statuses = new Map<number, number>();
  for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  return Object.fromEntries(statuses);
}
