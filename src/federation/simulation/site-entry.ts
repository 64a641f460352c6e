// Child-process entry for a site started by simulate() or a test. The trainer module comes from
// the local simulation config, never from the network.

import { checkSiteOutputs, runSite } from "../site/site-client.js";
import type { SiteTrainer } from "../site/site-trainer.js";
import type { FromSite, ToSite } from "./messages.js";

const send = (m: FromSite) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once("message", async (m: ToSite) => {
  try {
    checkSiteOutputs(m.config);
    const module = (await import(m.trainer.module)) as {
      createTrainer(options: unknown): SiteTrainer | Promise<SiteTrainer>;
    };
    const result = await runSite(m.config, await module.createTrainer(m.trainer.options));
    if (result.coordinatorFailed) throw new Error(result.reason);
    await send({ type: "done", roundsTrained: result.roundsTrained, lastRound: result.lastRound });
    process.exit(0);
  } catch (e) {
    await send({ type: "failed", error: (e as Error).message });
    process.exit(1);
  }
});
