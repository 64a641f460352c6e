// Validates a parsed config file against its JSON Schema; the error names the file and every
// offending field (as a JSON pointer such as /training/lr).
import { Ajv, type ErrorObject, type Schema } from "ajv";

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: false });
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

function describe(e: ErrorObject): string {
  const at = e.instancePath || "(top level)";
  if (e.keyword === "additionalProperties")
    return `${at}: unknown field '${String(e.params.additionalProperty)}'`;
  if (e.keyword === "required") return `${at}: missing field '${String(e.params.missingProperty)}'`;
  if (e.keyword === "enum")
    return `${at}: must be one of ${(e.params.allowedValues as unknown[]).map(String).join(", ")}`;
  return `${at}: ${e.message ?? e.keyword}`;
}

export function validateAgainstSchema<T>(value: unknown, schema: Schema & object, source: string): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) {
    const lines = [...new Set((validate.errors ?? []).map(describe))];
    throw new Error(`${source}: invalid config:\n  ${lines.join("\n  ")}`);
  }
  return value as T;
}
