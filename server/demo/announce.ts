import type { DemoOutcome } from "./seed.ts";

/**
 * What `npm start` prints about the demo: on the first start the keys (once) with the URLs and a
 * curl and an analytics-node example; on later starts the URLs and where the keys were saved.
 */
export function demoAnnouncement(outcome: DemoOutcome, baseUrl: string): string[] {
  if (outcome.status === "skipped") return [];
  const url = baseUrl.replace(/\/+$/, "");
  const lines = [
    "",
    `Demo workspace "Demo Store": ${outcome.counts.customers} customers, ${outcome.counts.events} events, ${outcome.counts.journeys} journeys`,
    `  Console        ${url}/`,
    `  API explorer   ${url}/docs`,
    `  OpenAPI        ${url}/openapi.json`,
    `  Segment API    ${url}/v1/track, /v1/identify, /v1/batch … (write key as the HTTP Basic username)`,
  ];
  if (!outcome.keys) {
    lines.push(`  API keys       were printed at the first start and saved in ${outcome.keysFile}`, "");
    return lines;
  }
  const { keys } = outcome;
  lines.push(
    "",
    `  API keys (shown once; also saved to ${outcome.keysFile}, readable only by you):`,
    `    admin      ${keys.admin}`,
    `    cx_lead    ${keys.cx_lead}`,
    `    reviewer   ${keys.reviewer}`,
    `    viewer     ${keys.viewer}`,
    `    write key  ${keys.ingest}   (Segment ingestion)`,
    "",
    "  Send an event with curl:",
    `    curl -u '${keys.ingest}:' ${url}/v1/track -H 'content-type: application/json' \\`,
    `      -d '{"userId":"demo-0001","event":"Checkout Started","properties":{"cart_id":"c-42","value":80,"currency":"EUR"}}'`,
    "",
    "  …or with the official Segment library (@segment/analytics-node):",
    `    const analytics = new Analytics({ writeKey: "${keys.ingest}", host: "${url}" });`,
    `    analytics.track({ userId: "demo-0001", event: "Checkout Started", properties: { cart_id: "c-42", value: 80 } });`,
    "",
    "  Call the management API:",
    `    curl -H 'authorization: Bearer ${keys.viewer}' ${url}/api/journeys`,
    "",
  );
  return lines;
}
