import { runEvalCommand } from "./command.ts";

/** `npm run eval` — see `npm run eval -- --help` and docs/evals.md. */
process.exitCode = await runEvalCommand(process.argv.slice(2));
