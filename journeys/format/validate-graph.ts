import type { JourneyNode } from "./schema.ts";
import { type Journey, nodeExits } from "./schema.ts";
import type { IssueList } from "./validation-issues.ts";
import { suggestion } from "./validation-issues.ts";

/** The journey as a graph: unique ids, existing targets, reachability, an exit on every path, no instant loops. */

function reachable(start: string, byId: Map<string, JourneyNode>): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    for (const exit of nodeExits(byId.get(id)!)) stack.push(exit.target);
  }
  return seen;
}

/** Tarjan's strongly connected components over node ids. */
function stronglyConnected(byId: Map<string, JourneyNode>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (id: string) => {
    indices.set(id, index);
    low.set(id, index);
    index++;
    stack.push(id);
    onStack.add(id);
    for (const { target } of nodeExits(byId.get(id)!)) {
      if (!byId.has(target)) continue;
      if (!indices.has(target)) {
        visit(target);
        low.set(id, Math.min(low.get(id)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(id, Math.min(low.get(id)!, indices.get(target)!));
      }
    }
    if (low.get(id) === indices.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      components.push(component);
    }
  };
  for (const id of byId.keys()) if (!indices.has(id)) visit(id);
  return components;
}

export function checkGraph(issues: IssueList, journey: Journey) {
  const byId = new Map<string, JourneyNode>();
  const indexOf = new Map<string, number>();
  for (const [index, node] of journey.nodes.entries()) {
    if (byId.has(node.id)) {
      issues.error(
        `$.nodes[${index}].id`,
        "duplicate_node",
        `node id "${node.id}" is used twice; ids must be unique.`,
      );
      continue;
    }
    byId.set(node.id, node);
    indexOf.set(node.id, index);
  }
  if (!byId.has(journey.start)) {
    issues.error(
      "$.start",
      "dangling_next",
      `start names node "${journey.start}", which does not exist.${suggestion(journey.start, byId.keys())}`,
    );
    return;
  }
  for (const [index, node] of journey.nodes.entries()) {
    for (const exit of nodeExits(node)) {
      if (!byId.has(exit.target)) {
        issues.error(
          `$.nodes[${index}].${exit.key}`,
          "dangling_next",
          `node "${node.id}" continues to "${exit.target}", which does not exist.${suggestion(exit.target, byId.keys())}`,
        );
      }
    }
  }
  const fromStart = reachable(journey.start, byId);
  for (const [index, node] of journey.nodes.entries()) {
    if (!fromStart.has(node.id)) {
      issues.error(
        `$.nodes[${index}]`,
        "unreachable_node",
        `node "${node.id}" cannot be reached from start "${journey.start}"; connect it or remove it.`,
      );
    }
  }
  // Nodes from which no exit node can be reached (paths that never end).
  const canExit = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of byId.values()) {
      if (canExit.has(node.id)) continue;
      if (node.type === "exit" || nodeExits(node).some((exit) => canExit.has(exit.target))) {
        canExit.add(node.id);
        changed = true;
      }
    }
  }
  for (const id of fromStart) {
    if (!canExit.has(id)) {
      issues.error(
        `$.nodes[${indexOf.get(id)}]`,
        "no_exit",
        `no path from node "${id}" ever reaches an exit node; every path must end in {"type": "exit"}.`,
      );
    }
  }
  for (const component of stronglyConnected(byId)) {
    const first = component[0]!;
    const isCycle = component.length > 1 || nodeExits(byId.get(first)!).some((exit) => exit.target === first);
    if (!isCycle) continue;
    const waits = component.some((id) => {
      const type = byId.get(id)!.type;
      return type === "wait" || type === "wait_for_event";
    });
    if (!waits) {
      const ids = component.map((id) => `"${id}"`).join(" → ");
      issues.error(
        `$.nodes[${Math.min(...component.map((id) => indexOf.get(id)!))}]`,
        "loop_without_wait",
        `the loop ${ids} has no wait or wait_for_event node, so it would repeat instantly; add a wait inside it.`,
      );
    }
  }
}
