// `segviz view --study DIR`: the study's results in the browser: its Dice table and, per test
// case, the CT in three planes and 3D with the truth and every arm's prediction as overlays.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startStudyViewer } from "../../experiments/viewer/study-viewer-server.js";
import type { Command } from "../command-spec.js";
import { intOption } from "../options.js";

export const viewCommand: Command = {
  spec: {
    name: "view",
    summary: "a study's tables and 3D views of its test cases, in the browser (niivue, offline)",
    description: `Serves --study (a folder written by segviz demo or segviz experiment) on --host:--port
(127.0.0.1 and a free port by default) and prints the address. The page shows the Dice table and,
per test case, the CT in three planes and 3D with the ground truth and each arm's prediction as
label overlays that can be toggled; the full report is one link away. Everything it loads comes
from this machine. Stops on Ctrl-C. segviz demo --serve shows a running study the same way.`,
    options: {
      study: { type: "string", value: "DIR", required: true, help: "a study output folder" },
      host: { type: "string", value: "HOST", defaultText: "127.0.0.1", help: "address to listen on" },
      port: { type: "string", value: "N", defaultText: "any free port", help: "port to listen on" },
    },
    examples: ["segviz view --study segviz-demo", "segviz view --study runs/study --port 8080"],
  },
  async run(values) {
    const dir = values.study as string;
    if (!existsSync(join(dir, "report.json")))
      throw new Error(`--study ${dir}: no report.json there (a finished segviz demo or experiment folder)`);
    const viewer = await startStudyViewer(dir, {
      host: (values.host as string | undefined) ?? "127.0.0.1",
      port: intOption(values.port as string | undefined, "port", 0, 0),
    });
    console.log(`study viewer: ${viewer.url} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await viewer.close();
    return 0;
  },
};
