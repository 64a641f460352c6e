// The coordinator's listening ports: gRPC for the sites' Join calls, and the optional HTTP(S)
// dashboard with its status, event and metrics endpoints.

import type { Server as HttpServer } from "node:http";
import * as grpc from "@grpc/grpc-js";
import { federationService, type JoinServerStream, SERVER_OPTIONS } from "../protocol/service.js";
import { type DashboardOptions, startDashboardServer } from "./dashboard/dashboard-server.js";
import type { FederationActivity } from "./dashboard/federation-activity.js";

export class CoordinatorServers {
  private readonly grpcServer = new grpc.Server(SERVER_OPTIONS);
  private http: HttpServer | undefined;

  constructor(join: (stream: JoinServerStream) => Promise<void>) {
    this.grpcServer.addService(federationService, { join });
  }

  /** Binds the gRPC server; resolves the port it got. */
  listen(address: string, credentials: grpc.ServerCredentials): Promise<number> {
    return new Promise<number>((resolve, reject) =>
      this.grpcServer.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))),
    );
  }

  /** Starts the dashboard and status endpoint; resolves the port it got. */
  async listenForDashboard(options: DashboardOptions, activity: FederationActivity): Promise<number> {
    const started = await startDashboardServer(options, activity);
    this.http = started.server;
    return started.port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.grpcServer.tryShutdown(() => resolve()));
    this.grpcServer.forceShutdown();
    const http = this.http;
    // An open dashboard holds its event stream forever: end those connections, or close() waits.
    http?.closeAllConnections();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  }
}
