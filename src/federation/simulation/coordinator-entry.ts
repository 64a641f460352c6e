// Child-process entry for a coordinator started by simulate() or a test.

import { startCoordinator } from "../coordinator/coordinator.js";
import type { FromCoordinator, ToCoordinator } from "./messages.js";

const send = (m: FromCoordinator) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once("message", async (m: ToCoordinator) => {
  try {
    const handle = await startCoordinator(m.config);
    await send({ type: "listening", port: handle.port, statusPort: handle.statusPort });
    const result = await handle.done;
    // Peak resident memory (kernel's maxrss, KiB): what a consortium's coordinator host must hold.
    const maxRssBytes = process.resourceUsage().maxRSS * 1024;
    await send({ type: "done", completedRounds: result.completedRounds, maxRssBytes });
    process.exit(0);
  } catch (e) {
    await send({ type: "failed", error: (e as Error).message });
    process.exit(1);
  }
});
