// The federation's config files, validated against JSON Schemas with errors that name the file
// and the field (/strategy/name, /sites/1/site/training/lr, ...):
//   coordinator.json  `segviz server`    the coordinator (CoordinatorConfig)
//   client.json       `segviz client`    one site: its site config, the coordinator, credentials
//   federation.json   `segviz simulate`  a coordinator and N sites on this machine
// A site config is given inline or as the path of a site.json (`segviz train`'s format). Paths
// are used as written (relative to the working directory), as in site.json.
import { readFile } from "node:fs/promises";
import type { UNetConfig } from "../../nn/monai/unet.js";
import { readJsonFile } from "../../training/config/read-json.js";
import { headsSchema, modelSchema } from "../../training/config/schema-parts.js";
import {
  loadSiteConfig,
  parseSiteConfig,
  resolveUNetConfig,
  type SiteTrainingConfig,
} from "../../training/config/site-config.js";
import { validateAgainstSchema } from "../../training/config/validate-json.js";
import type { HeadSpec } from "../../training/trainer/heads.js";
import type { CoordinatorConfig } from "../coordinator/config.js";
import { MAX_CHUNK_BYTES } from "../protocol/payload.js";
import type { SiteConfig } from "../site/config.js";
import { STRATEGY_NAMES } from "../strategies/registry.js";
import {
  initialModelOfSites,
  UNET_INITIAL_MODEL_MODULE,
  type UNetInitialModelOptions,
} from "./unet-initial-model.js";
import { initialModelFromFile } from "./unet-weights-file.js";

const str = { type: "string", minLength: 1 } as const;
const strings = { type: "array", items: { type: "string", minLength: 1 } } as const;
const posInt = { type: "integer", minimum: 1 } as const;

const strategySchema = {
  type: "object",
  properties: {
    name: { enum: STRATEGY_NAMES },
    weighting: { enum: ["uniform", "cases"] },
    localEpochs: posInt,
    share: {
      type: "object",
      properties: { include: strings, exclude: strings },
      additionalProperties: false,
    },
    headLocal: { type: "boolean" },
    headPatterns: strings,
    batchNormPatterns: strings,
    statisticsPatterns: strings,
    proximalMu: { type: "number", minimum: 0 },
    serverLearningRate: { type: "number", exclusiveMinimum: 0 },
    beta1: { type: "number", minimum: 0, exclusiveMaximum: 1 },
    beta2: { type: "number", minimum: 0, exclusiveMaximum: 1 },
    tau: { type: "number", exclusiveMinimum: 0 },
    trimFraction: { type: "number", minimum: 0, exclusiveMaximum: 0.5 },
    byzantineSites: { type: "integer", minimum: 0 },
    krumKeep: posInt,
    options: { type: "object", additionalProperties: { type: "string" } },
  },
  required: ["name"],
  additionalProperties: false,
} as const;

const coordinatorProperties = {
  host: str,
  port: { type: "integer", minimum: 0, maximum: 65535 },
  federationId: str,
  rounds: posInt,
  strategy: strategySchema,
  sites: {
    type: "array",
    items: {
      type: "object",
      properties: {
        id: { type: "string", pattern: "^[A-Za-z0-9_.-]+$" },
        token: str,
        tokenSha256: { type: "string", pattern: "^[0-9a-fA-F]{64}$" },
        revoked: { type: "boolean" },
      },
      required: ["id"],
      additionalProperties: false,
    },
  },
  tls: {
    type: "object",
    properties: {
      certFile: str,
      keyFile: str,
      clientCaFile: str,
      requireClientCertificate: { type: "boolean" },
    },
    required: ["certFile", "keyFile"],
    additionalProperties: false,
  },
  minSitesToStart: posInt,
  minSitesToClose: posInt,
  roundTimeoutMs: posInt,
  maxRoundAttempts: posInt,
  waitForSitesTimeoutMs: posInt,
  evaluateEvery: { type: "integer", minimum: 0 },
  initialWeightsFile: str,
  // The UNet the coordinator builds to start from: the sites' model section, every task head the
  // strategy may share, and the seed.
  initialModel: {
    type: "object",
    properties: { model: modelSchema, heads: headsSchema, seed: { type: "integer", minimum: 0 } },
    required: ["heads"],
    additionalProperties: false,
  },
  checkpointDir: str,
  resume: { type: "boolean" },
  roundLogFile: str,
  logFile: str,
  status: {
    type: "object",
    properties: {
      host: str,
      port: { type: "integer", minimum: 0, maximum: 65535 },
      token: str,
      tokenFile: str,
    },
    required: ["port"],
    additionalProperties: false,
  },
  maxUpdateNorm: { type: "number", exclusiveMinimum: 0 },
  relativeUpdateNormBound: { type: "number", minimum: 0 },
  chunkBytes: { type: "integer", minimum: 1024, maximum: MAX_CHUNK_BYTES },
  concurrentUploads: { type: "integer", minimum: 1, maximum: 1024 },
  transfer: {
    type: "object",
    properties: { dtype: { enum: ["float32", "float16", "bfloat16"] } },
    required: ["dtype"],
    additionalProperties: false,
  },
  allowInsecure: { type: "boolean" },
  maxUnauthenticatedConnections: posInt,
  duplicateConnection: { enum: ["refuse", "replace"] },
  helloTimeoutMs: posInt,
  secureAggregation: {
    type: "object",
    properties: {
      threshold: { type: "integer", minimum: 2, maximum: 255 },
      bits: { type: "integer", minimum: 8, maximum: 30 },
      clipRange: { type: "number", exclusiveMinimum: 0 },
      transcriptDir: str,
    },
    required: ["threshold"],
    additionalProperties: false,
  },
  differentialPrivacy: {
    type: "object",
    properties: {
      noiseMultiplier: { type: "number", exclusiveMinimum: 0 },
      clipNorm: { type: "number", exclusiveMinimum: 0 },
      adaptiveClipping: {
        type: "object",
        properties: {
          targetQuantile: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
          learningRate: { type: "number", exclusiveMinimum: 0 },
          countNoiseStd: { type: "number", exclusiveMinimum: 0 },
        },
        additionalProperties: false,
      },
      noise: { enum: ["central", "distributed"] },
      delta: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
    },
    required: ["noiseMultiplier", "clipNorm"],
    additionalProperties: false,
  },
} as const;

const coordinatorConfigSchema = {
  type: "object",
  properties: coordinatorProperties,
  required: ["rounds", "strategy", "sites"],
  additionalProperties: false,
} as const;

const siteRef = { oneOf: [str, { type: "object" }] } as const;
const reconnectSchema = {
  type: "object",
  properties: { initialDelayMs: posInt, maxDelayMs: posInt, giveUpAfterMs: posInt },
  additionalProperties: false,
} as const;

const clientConfigSchema = {
  type: "object",
  properties: {
    site: siteRef,
    siteId: { type: "string", pattern: "^[A-Za-z0-9_.-]+$" },
    coordinator: { type: "string", pattern: "^[^\\s]+:[0-9]+$" },
    token: str,
    tokenFile: str,
    tls: {
      type: "object",
      properties: { caFile: str, certFile: str, keyFile: str, serverNameOverride: str },
      required: ["caFile"],
      additionalProperties: false,
    },
    stateDir: str,
    neverShare: strings,
    reconnect: reconnectSchema,
    chunkBytes: { type: "integer", minimum: 1024, maximum: MAX_CHUNK_BYTES },
    logFile: str,
    initSeed: { type: "integer", minimum: 0 },
  },
  required: ["site", "coordinator"],
  additionalProperties: false,
} as const;

const federationConfigSchema = {
  type: "object",
  properties: {
    coordinator: {
      type: "object",
      properties: coordinatorProperties,
      required: ["rounds", "strategy"],
      additionalProperties: false,
    },
    sites: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        properties: { site: siteRef, stateDir: str, neverShare: strings, logFile: str },
        required: ["site"],
        additionalProperties: false,
      },
    },
    threadsPerSite: posInt,
    initSeed: { type: "integer", minimum: 0 },
  },
  required: ["coordinator", "sites"],
  additionalProperties: false,
} as const;

/** What `segviz client` runs: the site's training config and how it joins the federation. */
interface ClientConfig {
  site: SiteTrainingConfig;
  federation: SiteConfig;
  initSeed?: number;
}

/** What `segviz simulate` runs. */
interface FederationRunConfig {
  coordinator: CoordinatorConfig;
  sites: { site: SiteTrainingConfig; federation: Omit<SiteConfig, "coordinator"> }[];
  threadsPerSite?: number;
  initSeed?: number;
}

async function resolveSite(
  ref: string | object,
  source: string,
  pointer: string,
): Promise<SiteTrainingConfig> {
  return typeof ref === "string" ? loadSiteConfig(ref) : parseSiteConfig(ref, `${source}: ${pointer}`);
}

function checkCoordinator(c: CoordinatorConfig, source: string, at = ""): CoordinatorConfig {
  const fail = (field: string, why: string) => {
    throw new Error(`${source}: invalid config:\n  ${at}${field}: ${why}`);
  };
  const ids = c.sites.map((s) => s.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) fail("/sites", `site '${dup}' listed twice`);
  c.sites.forEach((s, i) => {
    if (s.token === undefined && s.tokenSha256 === undefined && c.tls?.requireClientCertificate !== true)
      fail(`/sites/${i}`, "needs token or tokenSha256 (or tls.requireClientCertificate)");
  });
  if (c.tls?.requireClientCertificate === true && c.tls.clientCaFile === undefined)
    fail("/tls/clientCaFile", "required when requireClientCertificate is true");
  if (c.resume === true && c.checkpointDir === undefined) fail("/checkpointDir", "required to resume");
  if (c.initialWeightsFile === undefined && c.initialModel === undefined && c.resume !== true)
    fail(
      "/initialModel",
      "required (or initialWeightsFile): the coordinator starts the federation from its own weights",
    );
  return c;
}

/** initialModel as written in a config file: a UNet, not a module. */
interface InitialUNetJson {
  model?: Partial<UNetConfig>;
  heads: HeadSpec[];
  seed?: number;
}

type CoordinatorJson = Omit<CoordinatorConfig, "initialModel"> & { initialModel?: InitialUNetJson };

function initialUNet(
  json: InitialUNetJson,
  source: string,
  pointer: string,
): CoordinatorConfig["initialModel"] {
  const options: UNetInitialModelOptions = {
    model: resolveUNetConfig(json.model, source, `${pointer}/model`),
    heads: json.heads,
    seed: json.seed ?? 0,
  };
  return { module: UNET_INITIAL_MODEL_MODULE, options };
}

/**
 * A config file's starting point in the core's terms: its UNet (initialModel) or its weights file
 * (a bundle, .pt or safetensors, read by the UNet adapter), both as initialModel modules.
 */
function startingPoint<C extends CoordinatorJson>(
  raw: C,
  source: string,
  pointer: string,
): Omit<C, "initialModel" | "initialWeightsFile"> & Pick<CoordinatorConfig, "initialModel"> {
  const { initialModel, initialWeightsFile, ...rest } = raw;
  if (initialModel !== undefined && initialWeightsFile !== undefined)
    throw new Error(
      `${source}: invalid config:\n  ${pointer}/initialModel: give initialWeightsFile or initialModel, not both`,
    );
  if (initialModel !== undefined)
    return { ...rest, initialModel: initialUNet(initialModel, source, `${pointer}/initialModel`) };
  if (initialWeightsFile !== undefined)
    return { ...rest, initialModel: initialModelFromFile(initialWeightsFile) };
  return rest;
}

function parseCoordinatorConfig(value: unknown, source: string): CoordinatorConfig {
  const raw = validateAgainstSchema<CoordinatorJson>(value, coordinatorConfigSchema, source);
  return checkCoordinator(startingPoint(raw, source, ""), source);
}

export async function loadCoordinatorConfig(path: string): Promise<CoordinatorConfig> {
  return parseCoordinatorConfig(await readJsonFile(path), path);
}

type RawClient = Omit<SiteConfig, "siteId"> & {
  site: string | object;
  siteId?: string;
  tokenFile?: string;
  initSeed?: number;
};

async function parseClientConfig(value: unknown, source: string): Promise<ClientConfig> {
  const raw = validateAgainstSchema<RawClient>(value, clientConfigSchema, source);
  if (raw.token !== undefined && raw.tokenFile !== undefined)
    throw new Error(`${source}: invalid config:\n  /tokenFile: give token or tokenFile, not both`);
  const site = await resolveSite(raw.site, source, "/site");
  let token = raw.token;
  if (raw.tokenFile !== undefined) {
    try {
      token = (await readFile(raw.tokenFile, "utf8")).trim();
    } catch (e) {
      throw new Error(`${source}: /tokenFile: cannot read ${raw.tokenFile}: ${(e as Error).message}`);
    }
  }
  const { site: _s, tokenFile: _t, initSeed, siteId, ...rest } = raw;
  return { site, federation: { ...rest, siteId: siteId ?? site.site, token }, initSeed };
}

export async function loadClientConfig(path: string): Promise<ClientConfig> {
  return parseClientConfig(await readJsonFile(path), path);
}

type RawFederation = {
  coordinator: Omit<CoordinatorJson, "sites"> & { sites?: CoordinatorConfig["sites"] };
  sites: { site: string | object; stateDir?: string; neverShare?: string[]; logFile?: string }[];
  threadsPerSite?: number;
  initSeed?: number;
};

/**
 * Sites without credentials in coordinator.sites get a fresh random token each run (they are
 * child processes of this machine); listed ones must carry a token the sites can be given.
 */
async function parseFederationConfig(
  value: unknown,
  source: string,
  newToken: () => string,
): Promise<FederationRunConfig> {
  const raw = validateAgainstSchema<RawFederation>(value, federationConfigSchema, source);
  const sites = await Promise.all(raw.sites.map((s, i) => resolveSite(s.site, source, `/sites/${i}/site`)));
  const ids = sites.map((s) => s.site);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined)
    throw new Error(`${source}: invalid config:\n  /sites: two sites are named '${dup}' (their site.site)`);
  const listed = raw.coordinator.sites ?? [];
  const credentials = ids.map((id) => {
    const c = listed.find((s) => s.id === id);
    if (c !== undefined && c.token === undefined)
      throw new Error(
        `${source}: invalid config:\n  /coordinator/sites: site '${id}' needs a token to simulate`,
      );
    return c ?? { id, token: newToken() };
  });
  const started = startingPoint(
    { ...raw.coordinator, sites: [...credentials, ...listed.filter((s) => !ids.includes(s.id))] },
    source,
    "/coordinator",
  );
  const coordinator = checkCoordinator(
    { ...started, initialModel: started.initialModel ?? sitesInitialModel(sites, raw.initSeed, source) },
    source,
    "/coordinator",
  );
  return {
    coordinator,
    sites: raw.sites.map((s, i) => ({
      site: sites[i],
      federation: {
        siteId: ids[i],
        token: credentials[i].token,
        stateDir: s.stateDir,
        neverShare: s.neverShare,
        logFile: s.logFile,
      },
    })),
    threadsPerSite: raw.threadsPerSite,
    initSeed: raw.initSeed,
  };
}

/** A simulation's coordinator builds the sites' own architecture (initialModelOfSites). */
function sitesInitialModel(
  sites: readonly SiteTrainingConfig[],
  initSeed: number | undefined,
  source: string,
): CoordinatorConfig["initialModel"] {
  try {
    return initialModelOfSites(sites, initSeed ?? sites[0].training.seed);
  } catch (e) {
    throw new Error(`${source}: invalid config:\n  /sites: ${(e as Error).message}`);
  }
}

export async function loadFederationConfig(
  path: string,
  newToken: () => string,
): Promise<FederationRunConfig> {
  return parseFederationConfig(await readJsonFile(path), path, newToken);
}
