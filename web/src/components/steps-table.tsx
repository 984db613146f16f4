import type { Journey } from "../../../journeys/format/schema.ts";
import type { NodeMetrics } from "../api/schemas.ts";
import { describeNode, describeTrigger } from "../canvas/describe.ts";
import { TRIGGER_ID } from "../canvas/graph.ts";
import { METRIC_KEYS } from "../canvas/journey-canvas.tsx";

/** The canvas as a table: every step in order with what it does and its counts (the text alternative). */
export function StepsTable({
  journey,
  metrics,
  caption,
}: {
  journey: Journey;
  metrics: ReadonlyMap<string, NodeMetrics> | null;
  caption: string;
}) {
  const rows = [
    { id: TRIGGER_ID, step: "Trigger", what: `When ${describeTrigger(journey.trigger)}` },
    ...journey.nodes.map((node) => {
      const description = describeNode(node);
      const what = [description.title, ...description.details].join(" — ");
      return { id: node.id, step: node.id, what };
    }),
  ];
  return (
    <table className="data-table steps-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">What it does</th>
          {metrics &&
            METRIC_KEYS.map((key) => (
              <th scope="col" className="number" key={key}>
                {key}
              </th>
            ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} data-node={row.id}>
            <th scope="row">{row.step}</th>
            <td>{row.what}</td>
            {metrics &&
              METRIC_KEYS.map((key) => (
                <td className="number" key={key}>
                  {metrics.get(row.id)?.[key] ?? 0}
                </td>
              ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
