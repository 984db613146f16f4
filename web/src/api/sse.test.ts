import { describe, expect, it } from "vitest";
import { SseParser } from "./sse.ts";

describe("the server-sent events parser", () => {
  it("completes an event at the blank line, with its name, id and data", () => {
    const parser = new SseParser();
    expect(parser.push('event: tool_call\nid: 3\ndata: {"name":"catalog"}\n')).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "tool_call", data: '{"name":"catalog"}', id: "3" }]);
  });

  it("reassembles events split across chunks anywhere, including inside CRLF", () => {
    const text = "data: first\r\n\r\nevent: x\r\ndata: sec";
    const parser = new SseParser();
    const events = [...text].flatMap((char) => parser.push(char));
    expect(events).toEqual([{ event: "message", data: "first", id: null }]);
    expect(parser.push("ond\r\n\r\n")).toEqual([{ event: "x", data: "second", id: null }]);
  });

  it("joins multi-line data, ignores comments and keeps the last id", () => {
    const parser = new SseParser();
    const events = parser.push(": keep-alive\n\ndata: a\ndata: b\nid: 7\n\ndata:c\n\n");
    expect(events).toEqual([
      { event: "message", data: "a\nb", id: "7" },
      { event: "message", data: "c", id: "7" },
    ]);
  });
});
