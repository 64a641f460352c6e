// The coordinator's Join handler: runs admission on each new stream, then adds the site to the
// connected sites (replacing its previous connection), or refuses it with a status.

import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../logging/json-logger.js";
import { RateLimitedLog } from "../logging/rate-limited-log.js";
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
  /** Streams that have not sent a valid Hello yet, at most; more are refused at once. */
  maxUnauthenticated: number;
  /** A second connection for a connected site: refused (the default), or it replaces the first. */
  duplicateConnection: "refuse" | "replace";
}

export class JoinHandler {
  private unauthenticated = 0;
  /** Per site: messages that belong to no pending task. */
  private readonly strays: RateLimitedLog;
  /** Refusals by the connection cap: one line a minute, then a count (a flood is one event). */
  private readonly capRefusals: RateLimitedLog;

  constructor(
    private readonly settings: JoinSettings,
    private readonly sites: ConnectedSites,
    private readonly log: Logger,
  ) {
    this.strays = new RateLimitedLog(log, "stray-message", "info", 5);
    this.capRefusals = new RateLimitedLog(log, "connection-refused", "warn", 1);
  }

  /** Serves one Join call; never rejects (a failure refuses the stream). */
  async handle(stream: JoinServerStream): Promise<void> {
    const { maxUnauthenticated } = this.settings;
    if (this.unauthenticated >= maxUnauthenticated) {
      const reason = `${maxUnauthenticated} connections are already waiting to authenticate; try again later`;
      this.capRefusals.record("cap", { peer: stream.getPeer(), reason });
      refuse(stream, new AdmissionRefused(grpc.status.RESOURCE_EXHAUSTED, reason));
      return;
    }
    try {
      await this.admit(stream);
    } catch (e) {
      const error =
        e instanceof AdmissionRefused ? e : new AdmissionRefused(grpc.status.INTERNAL, (e as Error).message);
      this.log.log("warn", "site-refused", { peer: stream.getPeer(), reason: error.message });
      refuse(stream, error);
    }
  }

  /** The Hello, counted against the cap of unauthenticated streams until it has been checked. */
  private async authenticatedHello(stream: JoinServerStream): Promise<Hello> {
    const { helloTimeoutMs, registry, requireCertificate } = this.settings;
    this.unauthenticated++;
    try {
      const hello = await waitForHello(stream, helloTimeoutMs);
      checkHello(hello, stream, registry, requireCertificate);
      return hello;
    } finally {
      this.unauthenticated--;
    }
  }

  private async admit(stream: JoinServerStream): Promise<void> {
    const { federationId, sharing } = this.settings;
    const hello = await this.authenticatedHello(stream);
    const existing = this.sites.get(hello.siteId);
    if (existing !== undefined && this.settings.duplicateConnection === "refuse") {
      // A stolen credential must not evict the real site; a site whose old connection is really
      // gone retries, and gets in once the coordinator has noticed (at once for a closed socket).
      throw new AdmissionRefused(
        grpc.status.ALREADY_EXISTS,
        `site ${JSON.stringify(hello.siteId)} is already connected (from ${existing.peer}); this second connection is refused (duplicateConnection: "refuse")`,
      );
    }
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
    connection.onClose(() => {
      this.strays.flush(hello.siteId);
      this.log.log("info", "site-left", { site: hello.siteId });
    });
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
      this.strays.record(hello.siteId, { site: hello.siteId, taskId, why });
    return connection;
  }
}
