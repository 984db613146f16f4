import { describe, expect, it } from "vitest";
import { eventTime, parseIsoTimestamp } from "./timestamps.ts";

describe("parseIsoTimestamp", () => {
  it.each([
    ["2015-02-23T22:28:55.111Z", "2015-02-23T22:28:55.111Z"],
    ["2015-02-23T22:28:55Z", "2015-02-23T22:28:55.000Z"],
    ["2015-02-23T23:28:55.111+01:00", "2015-02-23T22:28:55.111Z"],
    ["2015-02-23T17:28:55-0500", "2015-02-23T22:28:55.000Z"],
    ["2015-02-23T22:28:55.123456Z", "2015-02-23T22:28:55.123Z"],
    ["2015-02-23", "2015-02-23T00:00:00.000Z"],
    ["2015-2-02T00:30:08.276Z", "2015-02-02T00:30:08.276Z"],
    ["2015-02-23T22:28:55", "2015-02-23T22:28:55.000Z"],
  ])("reads %s as %s", (text, iso) => {
    expect(parseIsoTimestamp(text)?.toISOString()).toBe(iso);
  });

  it.each([
    "",
    "yesterday",
    "2015-13-01T00:00:00Z",
    "2015-02-30T00:00:00Z",
    "2015-02-23T24:00:00Z",
    "2015-02-23T22:61:00Z",
    "1423-02-23T22:28:55Z",
    "2015-02-23T22:28:55+25:00",
    "1424729335111",
    "Mon, 23 Feb 2015 22:28:55 GMT",
  ])("rejects %j", (text) => {
    expect(parseIsoTimestamp(text)).toBeNull();
  });
});

describe("eventTime (Segment's rule)", () => {
  const receivedAt = new Date("2015-12-12T19:11:01.266Z");

  it("trusts an explicit timestamp", () => {
    const timestamp = new Date("2015-12-12T19:11:01.249Z");
    expect(eventTime({ timestamp, sentAt: new Date("2015-12-12T19:11:05Z") }, receivedAt)).toEqual(timestamp);
  });

  it("corrects originalTimestamp by the client's clock skew: receivedAt - (sentAt - originalTimestamp)", () => {
    const times = {
      originalTimestamp: new Date("2015-12-12T19:11:01.152Z"),
      sentAt: new Date("2015-12-12T19:11:01.169Z"),
    };
    expect(eventTime(times, receivedAt).toISOString()).toBe("2015-12-12T19:11:01.249Z");
  });

  it("uses originalTimestamp without sentAt, and receivedAt without either", () => {
    const originalTimestamp = new Date("2015-12-12T19:00:00Z");
    expect(eventTime({ originalTimestamp }, receivedAt)).toEqual(originalTimestamp);
    expect(eventTime({}, receivedAt)).toEqual(receivedAt);
  });
});
