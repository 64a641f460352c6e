// `segviz client --config client.json`: one site of a federation. It dials out to the
// coordinator (no inbound port), trains its UNet on its own data, and shares what the
// federation's strategy allows.
import {
  checkSiteOutputs,
  loadClientConfig,
  runSite,
  type SiteResult,
  UNetSiteTrainer,
} from "../../federation/index.js";
import type { Command } from "../command-spec.js";

export const clientCommand: Command = {
  spec: {
    name: "client",
    summary: "one federation site: train locally, share with the coordinator",
    description: `CLIENT.json: { "site": "site.json" or an inline site config (as for segviz train),
"coordinator": "HOST:PORT", "token" or "tokenFile", optionally "siteId" (default: the site
config's site), "tls": { "caFile", "certFile"?, "keyFile"?, "serverNameOverride"? },
"stateDir" (local weights kept between rounds), "neverShare" (name patterns), "logFile" }.
The site dials out, so the hospital opens no inbound port (docs/federation.md).`,
    options: {
      config: { type: "string", value: "CLIENT.json", required: true, help: "the site's client config" },
    },
    examples: ["segviz client --config client-liver.json"],
  },
  async run(values) {
    const config = await loadClientConfig(values.config as string);
    // Its state folder and log file take writes before hours of preprocessing depend on them.
    checkSiteOutputs(config.federation);
    const trainer = await UNetSiteTrainer.create(config.site, { initSeed: config.initSeed });
    let r: SiteResult;
    try {
      r = await runSite(config.federation, trainer);
    } finally {
      await trainer.close();
    }
    console.log(
      `site ${config.federation.siteId}: trained ${r.roundsTrained} rounds (last round ${r.lastRound}); ${r.reason}`,
    );
    // A federation that failed is a job that did not finish, whatever this site did.
    return r.coordinatorFailed ? 1 : 0;
  },
};
