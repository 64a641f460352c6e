#!/usr/bin/env node
// The `segviz` command: dispatches to one module per (sub)command (commands/index.ts).
import { UsageError } from "./command-spec.js";
import { COMMANDS } from "./commands/index.js";
import { dispatch } from "./dispatch.js";

dispatch(COMMANDS, process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(message.startsWith("segviz ") ? message : `segviz: ${message}`);
    if (process.env.SEGVIZ_DEBUG && err instanceof Error) console.error(err.stack);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
