// JSON Schema fragments shared by the site and experiment configs.

const positiveTriple = {
  type: "array",
  items: { type: "number", exclusiveMinimum: 0 },
  minItems: 3,
  maxItems: 3,
} as const;

const intTriple = {
  type: "array",
  items: { type: "integer", minimum: 1 },
  minItems: 3,
  maxItems: 3,
} as const;

export const datasetSpecSchema = {
  oneOf: [
    {
      type: "object",
      properties: { layout: { enum: ["msd", "kits19", "btcv"] }, root: { type: "string", minLength: 1 } },
      required: ["layout", "root"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: {
        layout: { const: "folders" },
        images: { type: "string", minLength: 1 },
        labels: { type: "string", minLength: 1 },
      },
      required: ["layout", "images"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: { layout: { const: "csv" }, file: { type: "string", minLength: 1 } },
      required: ["layout", "file"],
      additionalProperties: false,
    },
  ],
} as const;

export const labelMapSchema = {
  oneOf: [
    { type: "string", minLength: 1 },
    {
      type: "object",
      properties: {
        name: { type: "string" },
        organs: { type: "array", items: { type: "string" } },
        labels: {
          type: "object",
          patternProperties: { "^[0-9]+$": { type: "string" } },
          additionalProperties: false,
        },
        background: { type: "array", items: { oneOf: [{ type: "integer" }, intPairSchema()] } },
        annotated: { type: "array", items: { type: "string" } },
      },
      required: ["name", "labels"],
      additionalProperties: false,
    },
  ],
} as const;

function intPairSchema() {
  return { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 } as const;
}

/** Task heads: each a name and the organs it segments (a site's, or a federation's). */
export const headsSchema = {
  type: "array",
  minItems: 1,
  items: {
    type: "object",
    properties: {
      task: { type: "string", pattern: "^[A-Za-z0-9_-]+$" },
      organs: { type: "array", items: { type: "string" }, minItems: 1 },
    },
    required: ["task", "organs"],
    additionalProperties: false,
  },
} as const;

export const modelSchema = {
  type: "object",
  properties: {
    channels: { type: "array", items: { type: "integer", minimum: 1 }, minItems: 2 },
    strides: { type: "array", items: { type: "integer", minimum: 1 }, minItems: 1 },
    numResUnits: { type: "integer", minimum: 0 },
    norm: { enum: ["batch", "instance", "none"] },
    act: { enum: ["prelu", "relu", "leakyrelu"] },
    dropout: { type: "number", minimum: 0, maximum: 1 },
    kernelSize: { type: "integer", minimum: 1 },
    upKernelSize: { type: "integer", minimum: 1 },
  },
  additionalProperties: false,
} as const;

export const preprocessSchema = {
  type: "object",
  properties: {
    axcodes: { type: "string", pattern: "^[RLAPSI]{3}$" },
    pixdim: positiveTriple,
    window: {
      type: "object",
      properties: { aMin: { type: "number" }, aMax: { type: "number" } },
      required: ["aMin", "aMax"],
      additionalProperties: false,
    },
    cropForeground: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          properties: { threshold: { type: "number" }, margin: { type: "integer", minimum: 0 } },
          required: ["threshold", "margin"],
          additionalProperties: false,
        },
      ],
    },
    minSize: { oneOf: [{ type: "null" }, intTriple] },
  },
  additionalProperties: false,
} as const;

const scheduleSchema = {
  oneOf: [
    {
      type: "object",
      properties: { kind: { const: "constant" } },
      required: ["kind"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: {
        kind: { const: "cosine" },
        tMax: { type: "integer", minimum: 1 },
        etaMin: { type: "number", minimum: 0 },
      },
      required: ["kind", "tMax"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: {
        kind: { const: "step" },
        stepSize: { type: "integer", minimum: 1 },
        gamma: { type: "number", exclusiveMinimum: 0 },
      },
      required: ["kind", "stepSize"],
      additionalProperties: false,
    },
  ],
} as const;

export const augmentSchema = {
  type: "object",
  properties: {
    patchSize: intTriple,
    numSamples: { type: "integer", minimum: 1 },
    placement: { enum: ["auto", "workers", "device"] },
    pos: { type: "number", minimum: 0 },
    neg: { type: "number", minimum: 0 },
    imageThreshold: { oneOf: [{ type: "null" }, { type: "number" }] },
    flipProb: { type: "number", minimum: 0, maximum: 1 },
    rot90Prob: { type: "number", minimum: 0, maximum: 1 },
    affine: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          properties: {
            prob: { type: "number", minimum: 0, maximum: 1 },
            rotateRange: { type: "array", items: { type: "number", minimum: 0 }, minItems: 3, maxItems: 3 },
            scaleRange: { type: "array", items: { type: "number", minimum: 0 }, minItems: 3, maxItems: 3 },
          },
          required: ["prob", "rotateRange", "scaleRange"],
          additionalProperties: false,
        },
      ],
    },
    intensity: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          properties: {
            prob: { type: "number", minimum: 0, maximum: 1 },
            scale: { type: "number", minimum: 0 },
            shift: { type: "number", minimum: 0 },
          },
          required: ["prob", "scale", "shift"],
          additionalProperties: false,
        },
      ],
    },
  },
  additionalProperties: false,
} as const;

/** The training budget fields a site config and an experiment file share. */
export const trainingBudgetProperties = {
  epochs: { type: "integer", minimum: 1 },
  batchSize: { type: "integer", minimum: 1 },
  lr: { type: "number", exclusiveMinimum: 0 },
  schedule: scheduleSchema,
  loss: { enum: ["dice", "dicece"] },
  workers: { type: "integer", minimum: 1 },
  precision: { enum: ["fp32", "bf16", "fp16"] },
} as const;

/** Sliding-window inference settings (ROI in voxels i, j, k). */
export const slidingWindowProperties = {
  roi: intTriple,
  overlap: { type: "number", minimum: 0, exclusiveMaximum: 1 },
  swBatchSize: { type: "integer", minimum: 1 },
} as const;

export const deviceSchema = { type: "string", pattern: "^(cpu|cuda(:[0-9]+)?)$" } as const;
