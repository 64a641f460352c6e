// `segviz client --config client.json`: one site of a federation. It dials out to the
// coordinator (no inbound port), trains its UNet on its own data, and shares what the
// federation's strategy allows.
import { parseArgs } from "node:util";
import { loadClientConfig, runSite, UNetSiteTrainer } from "../../federation/index.js";

const USAGE = `usage: segviz client --config CLIENT.json

CLIENT.json: { "site": "site.json" or an inline site config (as for segviz train),
"coordinator": "HOST:PORT", "token" or "tokenFile", optionally "siteId" (default: the site
config's site), "tls": { "caFile", "certFile"?, "keyFile"?, "serverNameOverride"? },
"stateDir" (local weights kept between rounds), "neverShare" (name patterns), "logFile" }.`;

export async function clientCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: "string" } } });
  if (!values.config) {
    console.error(USAGE);
    return 2;
  }
  const config = await loadClientConfig(values.config);
  const trainer = await UNetSiteTrainer.create(config.site, { initSeed: config.initSeed });
  try {
    const r = await runSite(config.federation, trainer);
    console.log(
      `site ${config.federation.siteId}: trained ${r.roundsTrained} rounds (last round ${r.lastRound}); ${r.reason}`,
    );
  } finally {
    await trainer.close();
  }
  return 0;
}
