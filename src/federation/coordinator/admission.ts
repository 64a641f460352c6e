// The first moments of a site's stream: wait for Hello, refuse a protocol version we do not
// speak, authenticate (token or client certificate), then answer Welcome.

import * as grpc from "@grpc/grpc-js";
import type { Hello, SiteMessage } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import { coordinatorMessage, type JoinServerStream, wireSize } from "../protocol/service.js";
import { PROTOCOL_VERSION } from "../protocol/version.js";
import type { SiteRegistry } from "../security/site-registry.js";

export class AdmissionRefused extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** A Hello carries an id, a token and a few organ names: anything larger is not one. */
export const MAX_HELLO_BYTES = 4096;

export function waitForHello(stream: JoinServerStream, timeoutMs: number): Promise<Hello> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new AdmissionRefused(grpc.status.DEADLINE_EXCEEDED, `no hello within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (m: SiteMessage) => {
      cleanup();
      const size = wireSize(m);
      if (size > MAX_HELLO_BYTES) {
        reject(
          new AdmissionRefused(
            grpc.status.INVALID_ARGUMENT,
            `first message is ${size} bytes; a hello is at most ${MAX_HELLO_BYTES}`,
          ),
        );
      } else if (m.body.case !== "hello") {
        reject(
          new AdmissionRefused(
            grpc.status.INVALID_ARGUMENT,
            `first message must be hello, got ${m.body.case ?? "empty"}`,
          ),
        );
      } else resolve(m.body.value);
    };
    const onEnd = () => {
      cleanup();
      reject(new AdmissionRefused(grpc.status.CANCELLED, "stream ended before hello"));
    };
    const cleanup = () => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onEnd);
      stream.off("cancelled", onEnd);
      stream.pause();
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onEnd);
    stream.on("cancelled", onEnd);
  });
}

export function checkHello(
  hello: Hello,
  stream: JoinServerStream,
  registry: SiteRegistry,
  requireCertificate: boolean,
): void {
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    throw new AdmissionRefused(
      grpc.status.FAILED_PRECONDITION,
      `protocol version mismatch: site ${JSON.stringify(hello.siteId)} speaks version ${hello.protocolVersion}, ` +
        `this coordinator speaks version ${PROTOCOL_VERSION}; upgrade the older side`,
    );
  }
  if (hello.siteId.length === 0 || hello.siteId.length > 128 || !/^[\w.@-]+$/.test(hello.siteId)) {
    throw new AdmissionRefused(
      grpc.status.INVALID_ARGUMENT,
      `hello.site_id ${JSON.stringify(hello.siteId)} is not a valid site id`,
    );
  }
  const subject = stream.getAuthContext()?.sslPeerCertificate?.subject as
    | { CN?: string | string[] }
    | undefined;
  const commonName = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
  const decision = registry.admit(hello.siteId, hello.token, commonName, requireCertificate);
  if (!decision.ok) {
    throw new AdmissionRefused(
      decision.code === "permission_denied" ? grpc.status.PERMISSION_DENIED : grpc.status.UNAUTHENTICATED,
      decision.reason,
    );
  }
}

export function refuse(stream: JoinServerStream, error: AdmissionRefused): void {
  stream.emit("error", { code: error.code, details: error.message });
}

export function welcome(
  stream: JoinServerStream,
  federationId: string,
  nextRound: number,
  include: readonly string[],
  exclude: readonly string[],
): void {
  stream.write(
    coordinatorMessage({
      case: "welcome",
      value: {
        $typeName: "segviz.federation.v1.Welcome",
        protocolVersion: PROTOCOL_VERSION,
        federationId,
        nextRound,
        shareInclude: [...include],
        shareExclude: [...exclude],
      },
    }),
  );
}
