import { BUILT_IN_TOOLS } from "./catalog.ts";
import type { Journey, JourneyNode } from "./schema.ts";
import { dataToolArgIssues, isDataToolName } from "./tool-args.ts";
import type { CheckContext } from "./validate-conditions.ts";
import { checkCondition, checkEventName } from "./validate-conditions.ts";
import { suggestion } from "./validation-issues.ts";

/** Per-node checks the schema cannot express: shapes with "exactly one of", catalog names, tool arguments. */

type NodeOf<T extends JourneyNode["type"]> = Extract<JourneyNode, { type: T }>;

export function checkNodes(context: CheckContext, journey: Journey) {
  const tools = new Set<string>([...BUILT_IN_TOOLS, ...(context.catalog?.tools ?? [])]);
  for (const [index, node] of journey.nodes.entries()) {
    const base = `$.nodes[${index}]`;
    switch (node.type) {
      case "wait":
        checkWait(context, node, base);
        break;
      case "wait_for_event":
        checkEventName(context, node.event, `${base}.event`);
        if (node.condition) checkCondition(context, node.condition, `${base}.condition`, "event", node.event);
        break;
      case "branch":
        for (const [branchIndex, branch] of node.branches.entries()) {
          checkCondition(context, branch.condition, `${base}.branches[${branchIndex}].condition`, "node");
        }
        break;
      case "split":
        checkSplit(context, node, base);
        break;
      case "send":
        checkSend(context, node, base);
        break;
      case "handoff":
        if (context.catalog && !context.catalog.channels.includes("handoff")) {
          context.issues.error(
            `${base}`,
            "unknown_channel",
            "this workspace has no human hand-off channel enabled.",
          );
        }
        break;
      case "tool":
        checkTool(context, node, base, tools);
        break;
      case "update_profile":
        checkUpdateProfile(context, node, base);
        break;
      case "agent":
        checkAgentOptions(context, node, base);
        break;
      case "exit":
        break;
    }
  }
}

function checkWait(context: CheckContext, node: NodeOf<"wait">, base: string) {
  const { issues, catalog, triggerEvents } = context;
  const ways = [node.duration, node.until_time, node.until].filter((value) => value !== undefined).length;
  if (ways !== 1) {
    issues.error(
      base,
      "wait_shape",
      `wait node "${node.id}" needs exactly one of duration, until_time or until (it has ${ways}).`,
    );
  }
  if (!node.until) return;
  const [namespace, ...rest] = node.until.field.split(".");
  if (!["trigger", "traits", "vars"].includes(namespace!) || rest.length === 0) {
    issues.error(
      `${base}.until.field`,
      "field_scope",
      `until.field must name a datetime in trigger.properties.*, traits.* or vars.*, not "${node.until.field}".`,
    );
  } else if (
    catalog &&
    namespace === "trigger" &&
    rest[0] === "properties" &&
    // only event triggers have catalogued properties (api entries bring their own)
    triggerEvents.length > 0
  ) {
    const types = triggerEvents.map((name) => catalog.events[name]?.properties[rest[1] ?? ""]);
    if (types.every((type) => type === undefined)) {
      issues.error(
        `${base}.until.field`,
        "unknown_property",
        `the trigger event has no property "${rest[1]}" to wait for.`,
      );
    }
  } else if (catalog && namespace === "traits" && !(rest[0]! in catalog.traits)) {
    issues.error(
      `${base}.until.field`,
      "unknown_trait",
      `trait "${rest[0]}" is not in the workspace's trait catalog.`,
    );
  }
}

function checkSplit({ issues }: CheckContext, node: NodeOf<"split">, base: string) {
  const total = node.variants.reduce((sum, variant) => sum + variant.weight, 0);
  if (Math.abs(total - 100) > 0.01) {
    issues.error(
      `${base}.variants`,
      "split_weights",
      `split "${node.id}" weights add up to ${total}; they must add up to 100.`,
    );
  }
  const names = node.variants.map((variant) => variant.name);
  if (new Set(names).size !== names.length) {
    issues.error(`${base}.variants`, "split_names", `split "${node.id}" uses a variant name twice.`);
  }
}

function checkSend({ issues, catalog }: CheckContext, node: NodeOf<"send">, base: string) {
  if (!node.template && !node.content) {
    issues.error(base, "send_content", `send node "${node.id}" needs a template id or inline content.`);
  }
  if (catalog && !catalog.channels.includes(node.channel)) {
    issues.error(
      `${base}.channel`,
      "unknown_channel",
      `channel "${node.channel}" is not enabled in this workspace (enabled: ${catalog.channels.join(", ")}).`,
    );
  }
  if (catalog?.templates && node.template && !catalog.templates.includes(node.template)) {
    issues.error(
      `${base}.template`,
      "unknown_template",
      `template "${node.template}" does not exist.${suggestion(node.template, catalog.templates)}`,
    );
  }
}

function checkTool({ issues }: CheckContext, node: NodeOf<"tool">, base: string, tools: Set<string>) {
  if (!tools.has(node.tool)) {
    issues.error(
      `${base}.tool`,
      "unknown_tool",
      `tool "${node.tool}" does not exist (known: ${[...tools].join(", ")}).`,
    );
  }
  if (isDataToolName(node.tool)) {
    for (const problem of dataToolArgIssues(node.tool, node.args)) {
      issues.error(
        problem.arg ? `${base}.args.${problem.arg}` : `${base}.args`,
        "tool_args",
        problem.message,
      );
    }
  }
  if (node.tool === "webhook" && typeof node.args.url !== "string") {
    issues.error(`${base}.args.url`, "webhook_url", "a webhook tool node needs args.url (an https URL).");
  }
}

function checkUpdateProfile({ issues, catalog }: CheckContext, node: NodeOf<"update_profile">, base: string) {
  if (!node.set && !node.increment && !node.unset) {
    issues.error(
      base,
      "update_shape",
      `update_profile node "${node.id}" changes nothing; give set, increment or unset.`,
    );
  }
  if (!catalog) return;
  const keys = [...Object.keys(node.set ?? {}), ...Object.keys(node.increment ?? {}), ...(node.unset ?? [])];
  for (const key of keys) {
    if (!(key in catalog.traits)) {
      issues.warn(
        `${base}`,
        "new_trait",
        `update_profile writes trait "${key}", which is not in the trait catalog yet.`,
      );
    }
  }
}

function checkAgentOptions(context: CheckContext, node: NodeOf<"agent">, base: string) {
  const { issues, catalog } = context;
  for (const [optionIndex, option] of node.actions.entries()) {
    const optionPath = `${base}.actions[${optionIndex}]`;
    if (option.kind === "send" && !option.channel) {
      issues.error(optionPath, "agent_option", `option "${option.id}" sends but names no channel.`);
    }
    if (option.kind === "send" && !option.template && !option.content) {
      issues.error(optionPath, "agent_option", `option "${option.id}" sends but has no template or content.`);
    }
    if (option.kind === "send" && option.channel && catalog && !catalog.channels.includes(option.channel)) {
      issues.error(
        `${optionPath}.channel`,
        "unknown_channel",
        `channel "${option.channel}" is not enabled in this workspace.`,
      );
    }
    if (catalog?.templates && option.template && !catalog.templates.includes(option.template)) {
      issues.error(
        `${optionPath}.template`,
        "unknown_template",
        `template "${option.template}" does not exist.${suggestion(option.template, catalog.templates)}`,
      );
    }
    if (option.condition) checkCondition(context, option.condition, `${optionPath}.condition`, "node");
  }
}
