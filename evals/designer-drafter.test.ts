import { describe, expect, it } from "vitest";
import { createDesignerModel, DesignerModel } from "../agents/model.ts";
import { ScriptedChatModel } from "../agents/testing.ts";
import { parseCases } from "./cases.ts";
import { designerDrafter } from "./designer-drafter.ts";
import { offlineDrafter } from "./drafter.ts";
import { runEval } from "./runner.ts";
import { SHOP_CASES, shopWorkspace } from "./test-fixtures.ts";

/**
 * The LangGraph designer as the eval's drafter: the same verdicts as the planner it wraps (the
 * offline chat model), with model calls and tokens counted by the model wrapper, and a repair round
 * visible in the counts when the model needs one.
 */

describe("the designer drafter", () => {
  it("scores like the offline planner it wraps, counting one model call per drafted journey", async () => {
    const cases = parseCases(SHOP_CASES.map((entry) => JSON.stringify(entry)).join("\n"));
    const workspace = shopWorkspace();
    const viaGraph = await runEval({ cases, workspace, drafter: designerDrafter(createDesignerModel({})) });
    const direct = await runEval({ cases, workspace, drafter: offlineDrafter });
    expect(viaGraph.cases.map((row) => [row.id, row.pass, row.produced])).toEqual(
      direct.cases.map((row) => [row.id, row.pass, row.produced]),
    );
    expect(viaGraph.summary).toMatchObject({ model: "offline-planner", median_llm_calls_per_journey: 1 });
    expect(viaGraph.summary.llm_calls).toBe(cases.length);
    expect(viaGraph.summary.tokens).toBeGreaterThan(0);
  });

  it("counts the repair round a model needed", async () => {
    const workspace = shopWorkspace();
    const valid = {
      name: "Shipped push",
      trigger: { type: "event", event: "Order Shipped" },
      start: "wait",
      nodes: [
        { id: "wait", type: "wait", duration: "PT30M", next: "push" },
        {
          id: "push",
          type: "send",
          channel: "push",
          content: { title: "On its way", body: "Your order shipped." },
          next: "done",
        },
        { id: "done", type: "exit" },
      ],
    };
    const broken = {
      ...valid,
      nodes: valid.nodes.map((node) => (node.id === "wait" ? { ...node, next: "pushh" } : node)),
    };
    const model = new ScriptedChatModel()
      .respondWithTools([{ name: "submit_journey", args: { journey: broken, explanation: [] } }])
      .respondWithTools([{ name: "submit_journey", args: { journey: valid, explanation: [] } }]);
    const draft = await designerDrafter(new DesignerModel(model, { name: "openai:scripted" }))(
      "Send a push notification 30 minutes after an order ships.",
      { catalog: workspace.catalog, policies: workspace.policies },
    );
    expect(draft).toMatchObject({ kind: "journey", journey: valid, model: "openai:scripted", llmCalls: 2 });
  });
});
