/**
 * The architecture of DESIGN.md, enforced: imports point down the flow, never back up.
 * Run with `npm run deps:check` (part of `npm run check` and .ci/run).
 */
module.exports = {
  forbidden: [
    {
      name: "agents-never-send",
      comment: "The agent only proposes: nothing it imports can reach a customer.",
      severity: "error",
      from: { path: "^agents/" },
      to: { path: "^tools/channels/" },
    },
    {
      name: "agents-never-write-customer-data",
      comment:
        "The designer only proposes drafts: it never ingests events, runs journeys or decides actions (all of which write customer data); activation goes through the approval queue.",
      severity: "error",
      from: { path: "^agents/" },
      to: {
        path: "^(server/|journeys/runtime/(runtime|executor|store|worker|batch|batcher|schedules)\\.ts$|policies/gateway(-store)?\\.ts$)",
      },
    },
    {
      name: "data-adapters-never-send",
      comment:
        "tools/data are read-only adapters the agents use as tools; nothing in them reaches a customer.",
      severity: "error",
      from: { path: "^tools/data/" },
      to: { path: "^tools/channels/" },
    },
    {
      name: "policies-are-not-models",
      comment: "Guardrails are deterministic code, never a model's opinion.",
      severity: "error",
      from: { path: "^policies/" },
      to: { path: "^agents/" },
    },
    {
      name: "channels-know-no-graph",
      severity: "error",
      from: { path: "^tools/channels/" },
      to: { path: "^(agents|journeys/runtime|server)/" },
    },
    {
      name: "core-knows-no-http",
      comment: "db/, journeys/ and policies/ know nothing of the HTTP server.",
      severity: "error",
      from: { path: "^(db|journeys|policies|tools|predict)/" },
      to: { path: "^server/" },
    },
    {
      name: "runtime-reaches-agents-only-by-injection",
      comment: "The runtime's agent node gets agents/nba through an interface injected at start-up.",
      severity: "error",
      from: { path: "^journeys/" },
      to: { path: "^agents/" },
    },
    {
      name: "web-speaks-only-http",
      comment:
        "The console reaches the server only over HTTP; the one module it shares is the journey format (journeys/format), which it parses and draws. Anything else of journeys/ (versions, simulator, runtime) pulls in the database.",
      severity: "error",
      from: { path: "^web/src/" },
      to: {
        path: "^(db|journeys|policies|tools|agents|server|predict|evals|bench|scripts)/",
        pathNot: "^journeys/format/",
      },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-orphans",
      severity: "warn",
      from: {
        orphan: true,
        pathNot: [
          "\\.d\\.ts$",
          "(^|/)\\.[^/]+\\.(js|cjs|mjs|ts|json)$",
          "\\.config\\.ts$",
          "\\.test\\.ts$",
          "-cli\\.ts$",
          "^bench/",
          "^scratch/",
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|web/dist|scratch|\\.overture)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
