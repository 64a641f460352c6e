// The data layer's error: every message starts with the file it is about, and the file and the
// reason stay available separately so a dataset loader can report a bad case without parsing text.

export class DataError extends Error {
  readonly file: string;
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`${file}: ${reason}`, options);
    this.name = "DataError";
    this.file = file;
    this.reason = reason;
  }
}
