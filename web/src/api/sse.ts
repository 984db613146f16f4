/**
 * Server-sent events read over fetch: the designer's event stream needs the Authorization header,
 * which the browser's EventSource cannot send. Implements the parts of the SSE format the server
 * uses (event, data over several lines, id, comments).
 */

export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | null;
}

/** Incremental parser: feed it text chunks as they arrive; it returns the events each completes. */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | null = null;

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const completed: ServerSentEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // a lone \r at the very end may be the first half of \r\n: wait for more
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) completed.push(event);
    }
    return completed;
  }

  private line(line: string): ServerSentEvent | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return null;
      }
      const event = { event: this.event || "message", data: this.data.join("\n"), id: this.id };
      this.event = "";
      this.data = [];
      return event;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
    return null;
  }
}
