import { describe, expect, it } from "vitest";
import { Journey } from "./schema.ts";
import { checkoutJourney, mutableJourney, storeCatalog } from "./test-fixtures.ts";
import type { ValidationIssue } from "./validate.ts";
import { toJsonPath, validateCondition, validateJourney } from "./validate.ts";

function issuesOf(input: unknown, catalog = storeCatalog): ValidationIssue[] {
  return validateJourney(input, catalog).issues;
}

function only(input: unknown, code: string, catalog = storeCatalog): ValidationIssue[] {
  return issuesOf(input, catalog).filter((issue) => issue.code === code);
}

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

describe("schema errors carry a JSONPath and a readable sentence", () => {
  it("names every missing top-level field", () => {
    const issues = issuesOf({});
    expect(issues.every((issue) => issue.code === "schema" && issue.severity === "error")).toBe(true);
    expect(issues.map((issue) => issue.path).sort()).toEqual(["$.name", "$.nodes", "$.start", "$.trigger"]);
  });

  it("rejects non-objects at the root", () => {
    for (const input of [null, 42, "journey", [1, 2]]) {
      const result = validateJourney(input, storeCatalog);
      expect(result.ok).toBe(false);
      expect(result.issues[0]!.path).toBe("$");
    }
  });

  it("names an unknown trigger type with the allowed list", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "evnt", event: "Checkout Started" };
    expect(issuesOf(journey)).toEqual([
      {
        path: "$.trigger.type",
        code: "schema",
        severity: "error",
        message: "trigger type must be one of event, trait_changed, segment_entered, schedule, api",
      },
    ]);
  });

  it("names an unknown node type at the node's type", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.type = "fax";
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.nodes[1].type");
    expect(issue?.message).toMatch(/node type must be one of wait, wait_for_event, branch/);
  });

  it("names unknown fields on a node", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.colour = "blue";
    expect(issuesOf(journey)).toEqual([
      { path: "$.nodes[1]", code: "schema", severity: "error", message: 'unknown field "colour"' },
    ]);
  });

  it("names a bad channel on a send node", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.channel = "fax";
    const [issue] = issuesOf(journey);
    expect(issue).toMatchObject({ path: "$.nodes[1].channel", code: "schema" });
    expect(issue?.message).toBe("channel must be one of email, sms, push, in_app, chat");
  });

  it("rejects an offer of unknown kind at offer.kind", () => {
    const journey = mutableJourney();
    journey.nodes[3]!.offer = { kind: "bogo", value: 1 };
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.nodes[3].offer.kind");
    expect(issue?.message).toBe("offer kind must be one of percent_off, amount_off, free_shipping");
  });

  it("rejects offers with out-of-range values or foreign fields", () => {
    const cases: Array<[unknown, string]> = [
      [{ kind: "percent_off", value: 0 }, "$.nodes[3].offer.value"],
      [{ kind: "percent_off", value: 120 }, "$.nodes[3].offer.value"],
      [{ kind: "amount_off", value: -5 }, "$.nodes[3].offer.value"],
      [{ kind: "amount_off", value: 5, currency: "EURO" }, "$.nodes[3].offer.currency"],
      [{ kind: "free_shipping", value: 5 }, "$.nodes[3].offer"],
    ];
    for (const [offer, path] of cases) {
      const journey = mutableJourney();
      journey.nodes[3]!.offer = offer;
      expect(
        issuesOf(journey).map((issue) => issue.path),
        JSON.stringify(offer),
      ).toEqual([path]);
    }
  });

  it("rejects a bad duration with the accepted forms in the message", () => {
    for (const bad of ["1 hour", "P", "PT", "P1DT", "-P1D", "P1.5D", "1H"]) {
      const journey = mutableJourney();
      journey.nodes[2]!.duration = bad;
      const [issue] = issuesOf(journey);
      expect(issue?.path, bad).toBe("$.nodes[2].duration");
      expect(issue?.message).toBe("must be an ISO 8601 duration such as PT1H, P2D or P1DT12H");
    }
  });

  it("rejects bad durations in timeouts, goal windows, cooldowns and signed offsets", () => {
    const journey = mutableJourney();
    journey.nodes[0]!.timeout = "an hour";
    journey.goal = { event: "Order Completed", within: "week" };
    journey.reentry = { mode: "always", cooldown: "daily" };
    const paths = issuesOf(journey).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(["$.nodes[0].timeout", "$.goal.within", "$.reentry.cooldown"]),
    );
    const until = mutableJourney();
    until.nodes[2] = {
      id: "wait_day",
      type: "wait",
      until: { field: "traits.renewal_at", offset: "3 days before" },
      next: "email",
    };
    expect(issuesOf(until).map((issue) => issue.path)).toEqual(["$.nodes[2].until.offset"]);
  });

  it("rejects a malformed time of day", () => {
    for (const bad of ["9:00", "24:00", "09:60", "9am"]) {
      const journey = mutableJourney();
      journey.nodes[2] = { id: "wait_day", type: "wait", until_time: bad, next: "email" };
      const [issue] = issuesOf(journey);
      expect(issue?.path, bad).toBe("$.nodes[2].until_time");
      expect(issue?.message).toMatch(/HH:MM/);
    }
  });

  it("explains the condition shapes when a condition matches none of them", () => {
    const journey = mutableJourney();
    journey.audience = { fild: "traits.tier" };
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.audience");
    expect(issue?.message).toMatch(/a condition is \{"all": \[\.\.\.\]\}/);
  });

  it("points inside a nearly-right condition", () => {
    const journey = mutableJourney();
    journey.audience = { all: [{ field: "traits.tier", op: "equals", value: "vip" }] };
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.audience.all[0].op");
  });

  it("requires a value for comparison operators and a list for in/not_in", () => {
    const journey = mutableJourney();
    journey.audience = {
      any: [
        { field: "traits.tier", op: "eq" },
        { field: "traits.tier", op: "in", value: "vip" },
      ],
    };
    const issues = issuesOf(journey);
    expect(issues.map((issue) => issue.path)).toEqual(["$.audience.any[0].value", "$.audience.any[1].value"]);
    expect(issues[0]!.message).toBe('operator "eq" needs a value');
    expect(issues[1]!.message).toBe('operator "in" needs a list value');
  });

  it("rejects field paths without a namespace and bad node ids", () => {
    const journey = mutableJourney();
    journey.audience = { field: "tier", op: "eq", value: "vip" };
    journey.nodes[4]!.id = "done now";
    journey.start = "";
    const paths = issuesOf(journey).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["$.audience.field", "$.nodes[4].id", "$.start"]));
  });

  it("requires at least two split variants and at least one branch", () => {
    const journey = mutableJourney();
    journey.nodes.push(
      { id: "s", type: "split", variants: [{ name: "a", weight: 100, next: "done" }] },
      { id: "b", type: "branch", branches: [], otherwise: "done" },
    );
    const paths = issuesOf(journey).map((issue) => issue.path);
    expect(paths).toEqual(["$.nodes[5].variants", "$.nodes[6].branches"]);
  });

  it("formats JSONPaths for odd keys", () => {
    expect(toJsonPath(["nodes", 3, "next"])).toBe("$.nodes[3].next");
    expect(toJsonPath(["args", "my key"])).toBe('$.args["my key"]');
    expect(toJsonPath([])).toBe("$");
  });
});

describe("graph checks", () => {
  it("reports a dangling next with a suggestion", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.next = "wait_dya";
    expect(only(journey, "dangling_next")).toEqual([
      {
        path: "$.nodes[1].next",
        code: "dangling_next",
        severity: "error",
        message: 'node "sms" continues to "wait_dya", which does not exist. Did you mean "wait_day"?',
      },
    ]);
  });

  it("reports a dangling start, on_timeout, otherwise, variant and on_skip", () => {
    const start = mutableJourney();
    start.start = "nowhere";
    expect(only(start, "dangling_next").map((issue) => issue.path)).toEqual(["$.start"]);

    const journey = mutableJourney();
    journey.nodes[0]!.on_timeout = "x1";
    journey.nodes[3]!.on_skip = "x2";
    journey.nodes.push(
      {
        id: "b",
        type: "branch",
        branches: [{ condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "x3" }],
        otherwise: "x4",
      },
      {
        id: "s",
        type: "split",
        variants: [
          { name: "a", weight: 50, next: "x5" },
          { name: "b", weight: 50, next: "done" },
        ],
      },
    );
    expect(only(journey, "dangling_next").map((issue) => issue.path)).toEqual([
      "$.nodes[0].on_timeout",
      "$.nodes[3].on_skip",
      "$.nodes[5].branches[0].next",
      "$.nodes[5].otherwise",
      "$.nodes[6].variants[0].next",
    ]);
  });

  it("reports duplicate node ids", () => {
    const journey = mutableJourney();
    journey.nodes.push({ id: "sms", type: "exit" });
    expect(only(journey, "duplicate_node")).toEqual([
      expect.objectContaining({
        path: "$.nodes[5].id",
        message: 'node id "sms" is used twice; ids must be unique.',
      }),
    ]);
  });

  it("reports an unreachable node", () => {
    const journey = mutableJourney();
    journey.nodes.push({
      id: "orphan",
      type: "send",
      channel: "email",
      template: "cart-discount-email",
      next: "done",
    });
    expect(only(journey, "unreachable_node")).toEqual([
      expect.objectContaining({
        path: "$.nodes[5]",
        message: 'node "orphan" cannot be reached from start "wait_order"; connect it or remove it.',
      }),
    ]);
  });

  it("reports a path that never reaches an exit", () => {
    const journey = mutableJourney();
    // email → wait_day → email: a waiting loop without an exit
    journey.nodes[3]!.next = "wait_day";
    journey.nodes[0]!.on_event = "sms";
    journey.nodes.splice(4, 1);
    const noExit = only(journey, "no_exit").map((issue) => issue.path);
    expect(noExit).toEqual(expect.arrayContaining(["$.nodes[0]", "$.nodes[1]", "$.nodes[2]", "$.nodes[3]"]));
    expect(only(journey, "loop_without_wait")).toEqual([]);
  });

  it("reports a loop with no wait, naming its nodes", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "branch",
      branches: [{ condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "again" }],
      otherwise: "done",
    };
    journey.nodes.push({
      id: "again",
      type: "send",
      channel: "email",
      template: "cart-discount-email",
      next: "email",
    });
    const [issue] = only(journey, "loop_without_wait");
    expect(issue?.path).toBe("$.nodes[3]");
    expect(issue?.message).toMatch(/the loop .*"email".*"again"|the loop .*"again".*"email"/);
    expect(issue?.message).toMatch(/add a wait inside it/);
  });

  it("reports a node that loops to itself", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.on_skip = "sms";
    expect(only(journey, "loop_without_wait").map((issue) => issue.path)).toEqual(["$.nodes[1]"]);
  });

  it("accepts a loop that contains a wait", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "branch",
      branches: [{ condition: { performed: "App Opened", since: "entry" }, next: "done" }],
      otherwise: "wait_day",
    };
    expect(issuesOf(journey).filter((issue) => issue.severity === "error")).toEqual([]);
  });
});

describe("catalog checks", () => {
  it("reports an unknown trigger event with a suggestion", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "event", event: "Checkout Startd" };
    expect(only(journey, "unknown_event")).toEqual([
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
    expect(only(journey, "unknown_event").map((issue) => issue.path)).toEqual([
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
    const [first, second] = only(journey, "unknown_trait");
    expect(first).toMatchObject({ path: "$.audience.field" });
    expect(first?.message).toBe(
      'trait "tierr" is not in the workspace\'s trait catalog. Did you mean "tier"?',
    );
    expect(second).toMatchObject({ path: "$.nodes[2].until.field" });

    const trait = { ...checkoutJourney(), trigger: { type: "trait_changed", trait: "churn" } };
    expect(only(trait, "unknown_trait").map((issue) => issue.path)).toEqual(["$.trigger.trait"]);
  });

  it("reports a channel the workspace has not enabled", () => {
    const journey = mutableJourney();
    journey.nodes[3]!.channel = "in_app";
    expect(only(journey, "unknown_channel")).toEqual([
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
    expect(only(journey, "unknown_channel", noHandoff).map((issue) => issue.path)).toEqual([
      "$.audience.field",
      "$.nodes[3].actions[0].channel",
      "$.nodes[5]",
    ]);
  });

  it("reports an unknown segment with a suggestion", () => {
    const journey = { ...checkoutJourney(), trigger: { type: "segment_entered", segment: "VIPs" } };
    expect(only(journey, "unknown_segment")).toEqual([
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
    expect(only(journey, "unknown_template").map((issue) => [issue.path, issue.message])).toEqual([
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
    expect(only(journey, "unknown_template", catalog)).toEqual([]);
  });

  it("reports an unknown tool with the known ones, and a webhook without url", () => {
    const journey = mutableJourney();
    journey.nodes[1] = { id: "sms", type: "tool", tool: "crm.lokup", next: "wait_day" };
    const [issue] = only(journey, "unknown_tool");
    expect(issue?.path).toBe("$.nodes[1].tool");
    expect(issue?.message).toMatch(/tool "crm.lokup" does not exist \(known: webhook, .*crm\.lookup\)/);

    const hook = mutableJourney();
    hook.nodes[1] = { id: "sms", type: "tool", tool: "webhook", args: {}, next: "wait_day" };
    expect(only(hook, "webhook_url").map((found) => found.path)).toEqual(["$.nodes[1].args.url"]);
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
    expect(only(journey, "unknown_property")).toEqual([
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

describe("node shape checks", () => {
  it("requires exactly one way to wait", () => {
    const none = mutableJourney();
    none.nodes[2] = { id: "wait_day", type: "wait", next: "email" };
    const two = mutableJourney();
    two.nodes[2] = { id: "wait_day", type: "wait", duration: "P1D", until_time: "09:00", next: "email" };
    expect(only(none, "wait_shape")[0]?.message).toBe(
      'wait node "wait_day" needs exactly one of duration, until_time or until (it has 0).',
    );
    expect(only(two, "wait_shape")[0]?.path).toBe("$.nodes[2]");
  });

  it("requires wait.until to name a datetime in trigger, traits or vars", () => {
    const journey = mutableJourney();
    journey.nodes[2] = {
      id: "wait_day",
      type: "wait",
      until: { field: "event.properties.at" },
      next: "email",
    };
    expect(only(journey, "field_scope").map((issue) => issue.path)).toEqual(["$.nodes[2].until.field"]);
  });

  it("requires split weights to add up to 100 and names to be unique", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "split",
      variants: [
        { name: "a", weight: 60, next: "done" },
        { name: "a", weight: 30, next: "done" },
      ],
    };
    expect(only(journey, "split_weights")).toEqual([
      expect.objectContaining({
        path: "$.nodes[3].variants",
        message: 'split "email" weights add up to 90; they must add up to 100.',
      }),
    ]);
    expect(only(journey, "split_names")).toHaveLength(1);
    journey.nodes[3]!.variants = [
      { name: "a", weight: 33.33, next: "done" },
      { name: "b", weight: 33.33, next: "done" },
      { name: "c", weight: 33.34, next: "done", holdout: true },
    ];
    expect(only(journey, "split_weights")).toEqual([]);
  });

  it("requires content or a template on sends, and something to do on update_profile", () => {
    const journey = mutableJourney();
    delete journey.nodes[1]!.template;
    journey.nodes[2] = { id: "wait_day", type: "update_profile", next: "email" };
    expect(only(journey, "send_content").map((issue) => issue.path)).toEqual(["$.nodes[1]"]);
    expect(only(journey, "update_shape").map((issue) => issue.path)).toEqual(["$.nodes[2]"]);
  });

  it("requires agent send options to name a channel and content", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "agent",
      objective: "o",
      actions: [{ id: "x", kind: "send" }],
      next: "done",
    };
    expect(only(journey, "agent_option").map((issue) => issue.message)).toEqual([
      'option "x" sends but names no channel.',
      'option "x" sends but has no template or content.',
    ]);
  });

  it("rejects a bad cron, a six-field cron and an unknown schedule time zone", () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ type: "schedule", cron: "99 * * * *" }, ["$.trigger.cron"]],
      [{ type: "schedule", cron: "0 0 9 * * *" }, ["$.trigger.cron"]],
      [{ type: "schedule", cron: "0 9 * * *", timezone: "Mars/Olympus" }, ["$.trigger.timezone"]],
    ];
    for (const [trigger, paths] of cases) {
      const journey = { ...checkoutJourney(), trigger };
      const found = issuesOf(journey).filter(
        (issue) => issue.code === "bad_cron" || issue.code === "bad_timezone",
      );
      expect(
        found.map((issue) => issue.path),
        JSON.stringify(trigger),
      ).toEqual(paths);
    }
  });
});

describe("field scopes", () => {
  it("forbids event.* inside the journey and hints at trigger.*", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "branch",
      branches: [{ condition: { field: "event.properties.value", op: "gt", value: 50 }, next: "done" }],
      otherwise: "done",
    };
    const [issue] = only(journey, "field_scope");
    expect(issue?.path).toBe("$.nodes[3].branches[0].condition.field");
    expect(issue?.message).toMatch(/Inside the journey, use trigger\.\* for the event that started it\./);
  });

  it("forbids vars and journey in the audience and event in the audience", () => {
    const journey = mutableJourney();
    journey.audience = {
      all: [
        { field: "vars.crm", op: "exists" },
        { field: "journey.variant", op: "eq", value: "a" },
        { field: "event.name", op: "eq", value: "x" },
      ],
    };
    expect(only(journey, "field_scope").map((issue) => issue.path)).toEqual([
      "$.audience.all[0].field",
      "$.audience.all[1].field",
      "$.audience.all[2].field",
    ]);
  });

  it("allows event.* inside performed.where anywhere", () => {
    const journey = mutableJourney();
    journey.audience = {
      performed: "Order Completed",
      within: "P90D",
      where: { field: "event.properties.total", op: "gte", value: 100 },
      min_count: 2,
    };
    expect(issuesOf(journey)).toEqual([]);
  });

  it("allows event.* in wait_for_event, exit_on and goal conditions", () => {
    const journey = mutableJourney();
    journey.nodes[0]!.condition = { field: "event.properties.total", op: "gt", value: 0 };
    journey.exit_on = [
      { event: "Order Completed", condition: { field: "event.properties.order_id", op: "exists" } },
    ];
    journey.goal = {
      event: "Order Completed",
      within: "P7D",
      condition: { field: "event.properties.total", op: "gt", value: 1 },
    };
    expect(issuesOf(journey)).toEqual([]);
  });

  it("reports a namespace that does not exist as unknown_field", () => {
    const journey = mutableJourney();
    journey.audience = { field: "profile.tier", op: "eq", value: "vip" };
    expect(issuesOf(journey)).toEqual([
      {
        path: "$.audience.field",
        code: "unknown_field",
        severity: "error",
        message:
          '"profile.tier" does not start with one of traits, consent, event, trigger, vars, local, journey.',
      },
    ]);
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
