// --serve for segviz demo and segviz experiment: the study viewer's page, live while the study
// runs, and kept up with the results until Ctrl-C.
import { startStudyViewer } from "../experiments/viewer/study-viewer-server.js";
import { intOption } from "./options.js";

export const SERVE_OPTIONS = {
  serve: {
    type: "boolean" as const,
    help: "show the running study in the browser (segviz view's page, live progress; the address is printed)",
  },
  "serve-port": {
    type: "string" as const,
    value: "N",
    defaultText: "any free port",
    help: "port of --serve",
  },
};

export async function withStudyViewer<T>(
  values: Record<string, unknown>,
  outDir: string,
  run: () => Promise<T>,
): Promise<T> {
  if (values.serve !== true) return run();
  const viewer = await startStudyViewer(outDir, {
    port: intOption(values["serve-port"] as string | undefined, "serve-port", 0, 0),
  });
  console.log(`study viewer: ${viewer.url}`);
  try {
    const result = await run();
    console.log(`study viewer: ${viewer.url} (the results; Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    return result;
  } finally {
    await viewer.close();
  }
}
