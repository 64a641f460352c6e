// The coordinator's Join handler: runs admission on each new stream, then adds the site to the
// connected sites (replacing its previous connection), or refuses it with a status.

import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../logging/json-logger.js";
import type { Hello } from "../protocol/generated/segviz/federation/v1/federation_pb.js";
import type { JoinServerStream } from "../protocol/service.js";
import type { SiteRegistry } from "../security/site-registry.js";
import type { NameFilter } from "../weights/name-filter.js";
import { AdmissionRefused, checkHello, refuse, waitForHello, welcome } from "./admission.js";
import type { ConnectedSites } from "./connected-sites.js";
import { SiteConnection } from "./site-connection.js";

export interface JoinSettings {
  federationId: string;
  helloTimeoutMs: number;
  registry: SiteRegistry;
  requireCertificate: boolean;
  /** The strategy's filter, announced in Welcome. */
  sharing: NameFilter;
  /** The round a site joining now takes part in first. */
  nextRound: () => number;
}

export class JoinHandler {
  constructor(
    private readonly settings: JoinSettings,
    private readonly sites: ConnectedSites,
    private readonly log: Logger,
  ) {}

  /** Serves one Join call; never rejects (a failure refuses the stream). */
  async handle(stream: JoinServerStream): Promise<void> {
    try {
      await this.admit(stream);
    } catch (e) {
      const error =
        e instanceof AdmissionRefused ? e : new AdmissionRefused(grpc.status.INTERNAL, (e as Error).message);
      this.log.log("warn", "site-refused", { peer: stream.getPeer(), reason: error.message });
      refuse(stream, error);
    }
  }

  private async admit(stream: JoinServerStream): Promise<void> {
    const { federationId, helloTimeoutMs, registry, requireCertificate, sharing } = this.settings;
    const hello = await waitForHello(stream, helloTimeoutMs);
    checkHello(hello, stream, registry, requireCertificate);
    const connection = this.connection(hello, stream);
    welcome(stream, federationId, this.settings.nextRound(), sharing.include, sharing.exclude);
    const previous = this.sites.add(connection);
    previous?.end("replaced by a new connection from the same site");
    this.log.log("info", "site-joined", {
      site: hello.siteId,
      peer: stream.getPeer(),
      organs: hello.organs,
      numTrainingCases: Number(hello.numTrainingCases),
      resumedRound: hello.resumedRound,
      rejoined: previous !== undefined,
    });
    connection.onClose(() => this.log.log("info", "site-left", { site: hello.siteId }));
  }

  private connection(hello: Hello, stream: JoinServerStream): SiteConnection {
    const connection = new SiteConnection(
      {
        siteId: hello.siteId,
        organs: [...hello.organs],
        numTrainingCases: Number(hello.numTrainingCases),
        resumedRound: hello.resumedRound,
      },
      stream,
    );
    connection.onStray = (taskId, why) =>
      this.log.log("info", "stray-message", { site: hello.siteId, taskId, why });
    return connection;
  }
}
