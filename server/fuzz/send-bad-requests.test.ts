import { describe, expect, it } from "vitest";
import type { BadRequest } from "./bad-payloads.ts";
import type { FuzzAnswer } from "./send-bad-requests.ts";
import { notClientErrors, statusCounts, unshapedErrors } from "./send-bad-requests.ts";

const request: BadRequest = { family: "wrong_type", label: "wrong type", body: "{}", headers: {} };
const answer = (status: number, body: unknown): FuzzAnswer => ({
  target: { path: "/x", request },
  status,
  body,
});

describe("sorting fuzz answers", () => {
  it("flags accepted requests and server errors, not 4xx answers", () => {
    const answers = [answer(200, {}), answer(400, {}), answer(413, {}), answer(500, {}), answer(503, {})];
    expect(notClientErrors(answers).map((a) => a.status)).toEqual([200, 500, 503]);
  });

  it("flags bodies without an error code and a message that says something", () => {
    const shaped = answer(400, { error: { code: "invalid", message: "userId must be a string" } });
    const answers = [
      shaped,
      answer(400, { error: { code: "invalid", message: "bad" } }),
      answer(400, { error: { message: "no code here at all" } }),
      answer(400, "<html>Bad Request</html>"),
      answer(400, null),
    ];
    expect(unshapedErrors(answers)).toEqual(answers.slice(1));
  });

  it("counts answers per status", () => {
    expect(statusCounts([answer(400, {}), answer(401, {}), answer(400, {})])).toEqual({ 400: 2, 401: 1 });
  });
});
