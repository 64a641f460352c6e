// How a site ends when the coordinator refuses it (wrong credential, revoked, protocol version).

import type * as grpc from "@grpc/grpc-js";

/** The coordinator refused this site; retrying cannot help. */
export class SiteRefusedError extends Error {
  constructor(
    readonly code: grpc.status,
    details: string,
  ) {
    super(`coordinator refused the site: ${details}`);
    this.name = "SiteRefusedError";
  }
}
