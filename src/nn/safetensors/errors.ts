/** A safetensors payload or tensor that is malformed; the message names the source and the field. */
export class SafetensorsError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    problem: string,
  ) {
    super(`safetensors ${source}: ${field}: ${problem}`);
    this.name = "SafetensorsError";
  }
}
