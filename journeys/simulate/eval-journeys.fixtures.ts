import type { JourneyInput } from "../format/schema.ts";

/**
 * Hand-written journeys for the public eval goals (../shared/evals/goals.jsonl), so the simulator is
 * checked against the scenarios' expected actions independently of any designer.
 */
const sms = (id: string, next: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "send" as const,
  channel: "sms" as const,
  content: { body: "Hi {{traits.first_name}}, you left something behind: {{trigger.properties.cart_id}}" },
  next,
  ...extra,
});
const email = (id: string, next: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "send" as const,
  channel: "email" as const,
  content: { subject: "Hello {{traits.first_name}}", body: "Hello {{traits.first_name}}" },
  next,
  ...extra,
});
const push = (id: string, next: string) => ({
  id,
  type: "send" as const,
  channel: "push" as const,
  content: { title: "Hey", body: "Something for you" },
  next,
});
const handoff = (id: string, next: string, queue = "support") => ({
  id,
  type: "handoff" as const,
  queue,
  instructions: "Call {{traits.first_name}} about {{trigger.name}}",
  next,
});
const done = { id: "done", type: "exit" as const };

export const EVAL_JOURNEYS: Record<string, JourneyInput> = {
  "checkout-abandon-sms-then-email": {
    name: "Checkout abandonment",
    trigger: { type: "event", event: "Checkout Started" },
    exit_on: [{ event: "Order Completed" }],
    start: "wait1",
    nodes: [
      { id: "wait1", type: "wait", duration: "PT1H", next: "sms" },
      sms("sms", "wait2"),
      { id: "wait2", type: "wait", duration: "P1D", next: "email" },
      email("email", "done", { offer: { kind: "percent_off", value: 10, code: "SAVE10" } }),
      done,
    ],
  },
  "welcome-then-push-if-inactive": {
    name: "Welcome",
    trigger: { type: "event", event: "Signed Up" },
    start: "welcome",
    nodes: [
      email("welcome", "wait"),
      { id: "wait", type: "wait", duration: "P2D", next: "opened" },
      {
        id: "opened",
        type: "branch",
        branches: [{ condition: { performed: "App Opened", since: "entry" }, next: "done" }],
        otherwise: "tips",
      },
      push("tips", "done"),
      done,
    ],
  },
  "return-feedback-then-alternative": {
    name: "Returns",
    trigger: { type: "event", event: "Product Returned" },
    start: "w1",
    nodes: [
      { id: "w1", type: "wait", duration: "P1D", next: "ask" },
      email("ask", "w2"),
      { id: "w2", type: "wait", duration: "P6D", next: "recommend" },
      email("recommend", "done"),
      done,
    ],
  },
  "payment-failed-recovery": {
    name: "Dunning",
    trigger: { type: "event", event: "Payment Failed" },
    start: "text",
    nodes: [
      sms("text", "paid"),
      {
        id: "paid",
        type: "wait_for_event",
        event: "Payment Succeeded",
        timeout: "P2D",
        on_event: "done",
        on_timeout: "agent",
      },
      handoff("agent", "done"),
      done,
    ],
  },
  "cancellation-vip-or-winback": {
    name: "Cancellation",
    trigger: { type: "event", event: "Subscription Cancelled" },
    start: "vip",
    nodes: [
      {
        id: "vip",
        type: "branch",
        branches: [{ condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "manager" }],
        otherwise: "wait",
      },
      handoff("manager", "done", "account_manager"),
      { id: "wait", type: "wait", duration: "P3D", next: "winback" },
      email("winback", "done", { offer: { kind: "percent_off", value: 20 } }),
      done,
    ],
  },
  "nps-detractors-and-promoters": {
    name: "NPS",
    trigger: {
      type: "event",
      event: "Survey Submitted",
      condition: { field: "event.properties.survey", op: "eq", value: "nps" },
    },
    start: "score",
    nodes: [
      {
        id: "score",
        type: "branch",
        branches: [
          { condition: { field: "trigger.properties.score", op: "lte", value: 6 }, next: "followup" },
          { condition: { field: "trigger.properties.score", op: "gte", value: 9 }, next: "wait" },
        ],
        otherwise: "done",
      },
      handoff("followup", "sorry"),
      email("sorry", "done"),
      { id: "wait", type: "wait", duration: "P1D", next: "review" },
      email("review", "done"),
      done,
    ],
  },
  "browse-abandon-unless-open-ticket": {
    name: "Browse abandonment",
    trigger: { type: "event", event: "Product Viewed" },
    audience: { field: "traits.open_support_tickets", op: "lte", value: 0 },
    start: "added",
    nodes: [
      {
        id: "added",
        type: "wait_for_event",
        event: "Product Added",
        timeout: "PT2H",
        on_event: "done",
        on_timeout: "nudge",
      },
      push("nudge", "done"),
      done,
    ],
  },
  "loan-documents-nudge": {
    name: "Loan documents",
    trigger: {
      type: "event",
      event: "Loan Application Started",
      also: [{ event: "Document Upload Failed" }],
    },
    reentry: { mode: "always" },
    start: "which",
    nodes: [
      {
        id: "which",
        type: "branch",
        branches: [
          { condition: { field: "trigger.name", op: "eq", value: "Document Upload Failed" }, next: "human" },
        ],
        otherwise: "docs",
      },
      handoff("human", "done"),
      {
        id: "docs",
        type: "wait_for_event",
        event: "Documents Uploaded",
        timeout: "P1D",
        on_event: "done",
        on_timeout: "nudge",
      },
      sms("nudge", "done"),
      done,
    ],
  },
  "frustrated-chat-handoff": {
    name: "Frustrated chat",
    trigger: {
      type: "event",
      event: "Chat Message Received",
      condition: { field: "event.properties.text", op: "gte", value: 0.5, transform: "frustration" },
    },
    start: "senior",
    nodes: [handoff("senior", "done", "senior_support"), done],
  },
  "delivery-delay-apology": {
    name: "Delay apology",
    trigger: {
      type: "event",
      event: "Delivery Delayed",
      condition: { field: "event.properties.delay_days", op: "gt", value: 2 },
    },
    start: "sorry",
    nodes: [email("sorry", "done", { offer: { kind: "free_shipping" } }), done],
  },
  "trial-ending-reminders": {
    name: "Trial ending",
    trigger: { type: "event", event: "Trial Started" },
    start: "w1",
    nodes: [
      {
        id: "w1",
        type: "wait",
        until: { field: "trigger.properties.trial_ends_at", offset: "-P3D" },
        next: "remind",
      },
      email("remind", "w2"),
      {
        id: "w2",
        type: "wait",
        until: { field: "trigger.properties.trial_ends_at", offset: "-P1D" },
        next: "upgraded",
      },
      {
        id: "upgraded",
        type: "branch",
        branches: [{ condition: { performed: "Subscription Upgraded", since: "entry" }, next: "done" }],
        otherwise: "last",
      },
      push("last", "done"),
      done,
    ],
  },
  "shipped-push-respects-quiet-hours": {
    name: "Shipped",
    trigger: { type: "event", event: "Order Shipped" },
    start: "wait",
    nodes: [{ id: "wait", type: "wait", duration: "PT30M", next: "push" }, push("push", "done"), done],
  },
  "checkout-sms-coupon-needs-consent": {
    name: "Checkout coupon",
    trigger: { type: "event", event: "Checkout Started" },
    exit_on: [{ event: "Order Completed" }],
    start: "wait",
    nodes: [
      { id: "wait", type: "wait", duration: "PT1H", next: "coupon" },
      sms("coupon", "done", { offer: { kind: "percent_off", value: 10 } }),
      done,
    ],
  },
  "welcome-ab-test-with-holdout": {
    name: "Welcome A/B",
    trigger: { type: "event", event: "Signed Up" },
    start: "split",
    nodes: [
      {
        id: "split",
        type: "split",
        variants: [
          { name: "A", weight: 45, next: "a" },
          { name: "B", weight: 45, next: "b" },
          { name: "holdout", weight: 10, next: "done", holdout: true },
        ],
      },
      email("a", "done"),
      email("b", "done"),
      done,
    ],
  },
  "review-request-unless-returned": {
    name: "Review request",
    trigger: { type: "event", event: "Order Delivered" },
    exit_on: [{ event: "Product Returned" }],
    start: "wait",
    nodes: [{ id: "wait", type: "wait", duration: "P5D", next: "ask" }, email("ask", "done"), done],
  },
  "app-reengagement-after-order": {
    name: "App re-engagement",
    trigger: { type: "event", event: "Order Completed" },
    start: "opened",
    nodes: [
      {
        id: "opened",
        type: "wait_for_event",
        event: "App Opened",
        timeout: "P14D",
        on_event: "done",
        on_timeout: "nudge",
      },
      push("nudge", "done"),
      done,
    ],
  },
  "churn-risk-outreach": {
    name: "Churn risk",
    trigger: {
      type: "trait_changed",
      trait: "churn_risk",
      condition: { field: "traits.churn_risk", op: "gt", value: 0.7 },
    },
    start: "call",
    nodes: [
      handoff("call", "miss", "account_manager"),
      email("miss", "done", { offer: { kind: "percent_off", value: 15 } }),
      done,
    ],
  },
  "laptop-bag-cross-sell": {
    name: "Laptop bag",
    trigger: {
      type: "event",
      event: "Order Completed",
      condition: { field: "event.properties.category", op: "eq", value: "laptops" },
    },
    start: "wait",
    nodes: [
      { id: "wait", type: "wait", duration: "P7D", next: "bag" },
      email("bag", "done", { offer: { kind: "percent_off", value: 15, applies_to: "laptop bags" } }),
      done,
    ],
  },
  "csat-survey-and-escalation": {
    name: "CSAT",
    trigger: { type: "event", event: "Support Ticket Closed" },
    start: "wait",
    nodes: [
      { id: "wait", type: "wait", duration: "PT1H", next: "survey" },
      email("survey", "answer"),
      {
        id: "answer",
        type: "wait_for_event",
        event: "Survey Submitted",
        condition: {
          all: [
            { field: "event.properties.survey", op: "eq", value: "csat" },
            { field: "event.properties.score", op: "lte", value: 2 },
          ],
        },
        timeout: "P2D",
        on_event: "supervisor",
        on_timeout: "done",
      },
      handoff("supervisor", "done", "supervisor"),
      done,
    ],
  },
};
