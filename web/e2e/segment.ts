import { Analytics } from "@segment/analytics-node";

/** The official Segment client pointed at the server, one delivered call at a time (order matters). */
export function segmentClient(baseUrl: string, writeKey: string) {
  const analytics = new Analytics({ writeKey, host: baseUrl, flushAt: 1, maxRetries: 0 });
  const delivered = (error: unknown) => (error ? Promise.reject(error) : Promise.resolve());
  return {
    identify(userId: string, traits: Record<string, unknown>) {
      return new Promise<void>((resolve, reject) =>
        analytics.identify({ userId, traits }, (error) => delivered(error).then(resolve, reject)),
      );
    },
    track(userId: string, event: string, properties: Record<string, unknown>) {
      return new Promise<void>((resolve, reject) =>
        analytics.track({ userId, event, properties }, (error) => delivered(error).then(resolve, reject)),
      );
    },
    close: () => analytics.closeAndFlush(),
  };
}
