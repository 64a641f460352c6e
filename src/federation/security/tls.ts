// gRPC credentials from PEM files: TLS for the coordinator, optionally requiring client
// certificates signed by the federation's CA (mutual TLS); the site trusts that CA.

import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";

export interface CoordinatorTlsConfig {
  certFile: string;
  keyFile: string;
  /** CA that signs the sites' certificates; required when requireClientCertificate is set. */
  clientCaFile?: string;
  requireClientCertificate?: boolean;
}

export interface SiteTlsConfig {
  /** CA that signed the coordinator's certificate. */
  caFile: string;
  /** The site's own certificate and key, for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** Name to expect in the coordinator's certificate when it differs from the dialled host. */
  serverNameOverride?: string;
}

export function serverCredentials(tls: CoordinatorTlsConfig | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const requireClient = tls.requireClientCertificate === true;
  if (requireClient && tls.clientCaFile === undefined) {
    throw new Error("coordinator tls: requireClientCertificate needs clientCaFile");
  }
  return grpc.ServerCredentials.createSsl(
    tls.clientCaFile !== undefined ? readFileSync(tls.clientCaFile) : null,
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    requireClient,
  );
}

export function channelCredentials(tls: SiteTlsConfig | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new Error("site tls: certFile and keyFile go together");
  }
  return grpc.credentials.createSsl(
    readFileSync(tls.caFile),
    tls.keyFile !== undefined ? readFileSync(tls.keyFile) : null,
    tls.certFile !== undefined ? readFileSync(tls.certFile) : null,
  );
}
