import { describe, expect, it } from "vitest";
import { Journey } from "./schema.ts";
import { checkoutJourney, issuesOf, issuesWithCode, mutableJourney, storeCatalog } from "./test-fixtures.ts";
import { validateCondition, validateJourney } from "./validate.ts";

describe("validateJourney on a correct journey", () => {
  it("accepts the fixture with no issues and applies the defaults", () => {
    const result = validateJourney(checkoutJourney(), storeCatalog);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.journey?.reentry).toEqual({ mode: "after_exit" });
    expect(result.journey?.priority).toBe(50);
  });

  it("accepts every node type and trigger together", () => {
    const journey = {
      name: "Everything",
      trigger: {
        type: "event",
        event: "Trial Started",
        condition: { field: "event.properties.plan", op: "eq", value: "pro" },
        also: [{ event: "App Opened" }],
      },
      audience: { field: "traits.tier", op: "in", value: ["vip", "regular"] },
      reentry: { mode: "never" },
      exit_on: [
        { event: "Order Completed", condition: { field: "event.properties.total", op: "gt", value: 0 } },
      ],
      goal: { event: "Order Completed", within: "P14D", exit: true },
      priority: 80,
      start: "w",
      nodes: [
        {
          id: "w",
          type: "wait",
          until: { field: "trigger.properties.trial_ends_at", offset: "-P3D" },
          next: "t",
        },
        { id: "t", type: "wait", until_time: "09:00", next: "split" },
        {
          id: "split",
          type: "split",
          variants: [
            { name: "a", weight: 45, next: "b" },
            { name: "b", weight: 45, next: "b" },
            { name: "holdout", weight: 10, next: "done", holdout: true },
          ],
        },
        {
          id: "b",
          type: "branch",
          branches: [{ condition: { performed: "App Opened", since: "entry" }, next: "agent" }],
          otherwise: "tool",
        },
        {
          id: "tool",
          type: "tool",
          tool: "crm.lookup",
          args: { id: { ref: "traits.email" } },
          save_as: "crm",
          next: "hook",
        },
        { id: "hook", type: "tool", tool: "webhook", args: { url: "https://example.com/h" }, next: "upd" },
        {
          id: "upd",
          type: "update_profile",
          set: { tier: "vip" },
          increment: { open_support_tickets: 1 },
          next: "hand",
        },
        { id: "hand", type: "handoff", instructions: "Call them", priority: "high", next: "wfe" },
        {
          id: "wfe",
          type: "wait_for_event",
          event: "Chat Message Received",
          condition: { field: "event.properties.text", op: "contains", value: "help" },
          timeout: "P2D",
          on_event: "done",
          on_timeout: "done",
        },
        {
          id: "agent",
          type: "agent",
          objective: "keep them",
          actions: [
            { id: "mail", kind: "send", channel: "email", template: "cart-discount-email" },
            { id: "none", kind: "none" },
          ],
          next: "done",
        },
        { id: "done", type: "exit", reason: "finished" },
      ],
    };
    const result = validateJourney(journey, storeCatalog);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
    for (const trigger of [
      {
        type: "trait_changed",
        trait: "churn_risk",
        condition: { field: "traits.churn_risk", op: "gte", value: 0.7 },
      },
      { type: "segment_entered", segment: "VIP" },
      { type: "schedule", cron: "0 9 * * 1", timezone: "Europe/Berlin" },
      { type: "api" },
    ]) {
      const simple = { ...checkoutJourney(), trigger };
      expect(issuesOf(simple), JSON.stringify(trigger)).toEqual([]);
    }
  });

  it("skips catalog checks when no catalog is given but still checks the graph", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "event", event: "Anything At All" };
    expect(validateJourney(journey).ok).toBe(true);
    journey.nodes[4]!.type = "wait";
    journey.nodes[4]!.duration = "PT1H";
    journey.nodes[4]!.next = "done";
    // "done" is now a wait that loops to itself: a path with no exit, found without any catalog
    expect(validateJourney(journey).issues.map((issue) => issue.code)).toContain("no_exit");
  });
});

describe("catalog checks", () => {
  it("reports an unknown trigger event with a suggestion", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "event", event: "Checkout Startd" };
    expect(issuesWithCode(journey, "unknown_event")).toEqual([
      expect.objectContaining({
        path: "$.trigger.event",
        message:
          'event "Checkout Startd" is not in the workspace\'s event catalog. Did you mean "Checkout Started"?',
      }),
    ]);
  });

  it("reports unknown events in also, exit_on, goal, wait_for_event and performed", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "event", event: "Checkout Started", also: [{ event: "Cart Viewed" }] };
    journey.exit_on = [{ event: "Unsubscribed" }];
    journey.goal = { event: "Purchase", within: "P7D" };
    journey.nodes[0]!.event = "Order Placed";
    journey.audience = { not: { performed: "Refund Requested", within: "P30D" } };
    expect(issuesWithCode(journey, "unknown_event").map((issue) => issue.path)).toEqual([
      "$.trigger.also[0].event",
      "$.audience.not.performed",
      "$.exit_on[0].event",
      "$.goal.event",
      "$.nodes[0].event",
    ]);
  });

  it("reports an unknown trait in conditions, trait triggers and waits", () => {
    const journey = mutableJourney();
    journey.audience = { field: "traits.tierr", op: "eq", value: "vip" };
    journey.nodes[2] = { id: "wait_day", type: "wait", until: { field: "traits.renews_on" }, next: "email" };
    const [first, second] = issuesWithCode(journey, "unknown_trait");
    expect(first).toMatchObject({ path: "$.audience.field" });
    expect(first?.message).toBe(
      'trait "tierr" is not in the workspace\'s trait catalog. Did you mean "tier"?',
    );
    expect(second).toMatchObject({ path: "$.nodes[2].until.field" });

    const trait = { ...checkoutJourney(), trigger: { type: "trait_changed", trait: "churn" } };
    expect(issuesWithCode(trait, "unknown_trait").map((issue) => issue.path)).toEqual(["$.trigger.trait"]);
  });

  it("reports a channel the workspace has not enabled", () => {
    const journey = mutableJourney();
    journey.nodes[3]!.channel = "in_app";
    expect(issuesWithCode(journey, "unknown_channel")).toEqual([
      expect.objectContaining({
        path: "$.nodes[3].channel",
        message:
          'channel "in_app" is not enabled in this workspace (enabled: email, sms, push, handoff, webhook).',
      }),
    ]);
  });

  it("reports consent of an unknown channel, a hand-off without the channel and agent options", () => {
    const journey = mutableJourney();
    journey.audience = { field: "consent.fax", op: "eq", value: true };
    journey.nodes[3] = {
      id: "email",
      type: "agent",
      objective: "save the sale",
      actions: [{ id: "chat", kind: "send", channel: "chat", content: { body: "hi" } }],
      next: "hand",
    };
    journey.nodes.push({ id: "hand", type: "handoff", instructions: "call", next: "done" });
    const noHandoff = { ...storeCatalog, channels: ["email", "sms"] };
    expect(issuesWithCode(journey, "unknown_channel", noHandoff).map((issue) => issue.path)).toEqual([
      "$.audience.field",
      "$.nodes[3].actions[0].channel",
      "$.nodes[5]",
    ]);
  });

  it("reports an unknown segment with a suggestion", () => {
    const journey = { ...checkoutJourney(), trigger: { type: "segment_entered", segment: "VIPs" } };
    expect(issuesWithCode(journey, "unknown_segment")).toEqual([
      expect.objectContaining({
        path: "$.trigger.segment",
        message: 'segment "VIPs" does not exist. Did you mean "VIP"?',
      }),
    ]);
  });

  it("reports an unknown template on send nodes and agent options", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.template = "cart-reminder-smss";
    journey.nodes[3] = {
      id: "email",
      type: "agent",
      objective: "save the sale",
      actions: [{ id: "mail", kind: "send", channel: "email", template: "no-such-template" }],
      next: "done",
    };
    expect(issuesWithCode(journey, "unknown_template").map((issue) => [issue.path, issue.message])).toEqual([
      [
        "$.nodes[1].template",
        'template "cart-reminder-smss" does not exist. Did you mean "cart-reminder-sms"?',
      ],
      ["$.nodes[3].actions[0].template", 'template "no-such-template" does not exist.'],
    ]);
  });

  it("does not check templates when the catalog lists none", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.template = "anything";
    const { templates: _ignored, ...catalog } = storeCatalog;
    expect(issuesWithCode(journey, "unknown_template", catalog)).toEqual([]);
  });

  it("reports an unknown tool with the known ones, and a webhook without url", () => {
    const journey = mutableJourney();
    journey.nodes[1] = { id: "sms", type: "tool", tool: "crm.lokup", next: "wait_day" };
    const [issue] = issuesWithCode(journey, "unknown_tool");
    expect(issue?.path).toBe("$.nodes[1].tool");
    expect(issue?.message).toMatch(/tool "crm.lokup" does not exist \(known: webhook, .*crm\.lookup\)/);

    const hook = mutableJourney();
    hook.nodes[1] = { id: "sms", type: "tool", tool: "webhook", args: {}, next: "wait_day" };
    expect(issuesWithCode(hook, "webhook_url").map((found) => found.path)).toEqual(["$.nodes[1].args.url"]);
  });

  it("warns, without blocking, about properties the catalog does not list", () => {
    const journey = mutableJourney();
    journey.trigger = {
      type: "event",
      event: "Checkout Started",
      condition: { field: "event.properties.coupon", op: "exists" },
    };
    const result = validateJourney(journey, storeCatalog);
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      {
        path: "$.trigger.condition.field",
        code: "unknown_property",
        severity: "warning",
        message: 'property "coupon" is not listed for "Checkout Started"; known: cart_id, value, currency.',
      },
    ]);
  });

  it("warns when update_profile writes a trait the catalog does not have", () => {
    const journey = mutableJourney();
    journey.nodes[2] = { id: "wait_day", type: "update_profile", set: { nickname: "x" }, next: "email" };
    const result = validateJourney(journey, storeCatalog);
    expect(result.issues.map((issue) => [issue.code, issue.severity])).toContainEqual([
      "new_trait",
      "warning",
    ]);
  });

  it("rejects a wait until a trigger property the trigger event does not have", () => {
    const journey = mutableJourney();
    journey.nodes[2] = {
      id: "wait_day",
      type: "wait",
      until: { field: "trigger.properties.ends_at" },
      next: "email",
    };
    expect(issuesWithCode(journey, "unknown_property")).toEqual([
      expect.objectContaining({ path: "$.nodes[2].until.field", severity: "error" }),
    ]);
  });

  it("lets api-triggered journeys read and wait on trigger properties the catalog cannot know", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "api" };
    journey.audience = { field: "trigger.properties.plan", op: "eq", value: "pro" };
    journey.nodes[2] = {
      id: "wait_day",
      type: "wait",
      until: { field: "trigger.properties.renew_at", offset: "-P3D" },
      next: "email",
    };
    expect(issuesOf(journey)).toEqual([]);
  });
});

describe("every problem at once", () => {
  it("reports independent problems together rather than stopping at the first", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "event", event: "Checkout Startd" };
    journey.nodes[1]!.next = "nowhere";
    journey.nodes[3]!.channel = "in_app";
    journey.nodes.push({ id: "orphan", type: "exit" });
    const codes = issuesOf(journey).map((issue) => issue.code);
    expect(codes).toEqual(
      expect.arrayContaining(["unknown_event", "dangling_next", "unknown_channel", "unreachable_node"]),
    );
  });

  it("parses the fixture with the exported schema to the same journey", () => {
    const parsed = Journey.parse(checkoutJourney());
    expect(validateJourney(checkoutJourney(), storeCatalog).journey).toEqual(parsed);
  });
});

describe("validateCondition (segments and other standalone conditions)", () => {
  it("accepts an audience-style condition and returns it parsed", () => {
    const result = validateCondition(
      {
        all: [
          { field: "traits.tier", op: "eq", value: "vip" },
          { performed: "Order Completed", within: "P90D" },
        ],
      },
      storeCatalog,
    );
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([]);
  });

  it("reports schema, scope and catalog problems with paths from the condition", () => {
    expect(
      validateCondition({ field: "traits.tier", op: "eq" }, storeCatalog).issues.map((i) => i.path),
    ).toEqual(["$.value"]);
    const result = validateCondition(
      {
        any: [
          { field: "event.name", op: "exists" },
          { field: "traits.tierr", op: "eq", value: 1 },
        ],
      },
      storeCatalog,
    );
    expect(result.ok).toBe(false);
    expect(result.issues.map((issue) => [issue.path, issue.code])).toEqual([
      ["$.any[0].field", "field_scope"],
      ["$.any[1].field", "unknown_trait"],
    ]);
  });
});
