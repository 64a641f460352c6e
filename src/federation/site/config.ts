// What a site client needs: who it is, where the coordinator is, and how to prove it.

import type { SiteTlsConfig } from "../security/tls.js";

export interface SiteConfig {
  siteId: string;
  /** host:port of the coordinator. */
  coordinator: string;
  token?: string;
  tls?: SiteTlsConfig;
  /** Where the site keeps its local state between rounds (memory only when omitted). */
  stateDir?: string;
  /** Names this site never shares, whatever the coordinator's filter says. */
  neverShare?: string[];
  /** Reconnection after a lost connection: exponential backoff, then give up. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; giveUpAfterMs?: number };
  chunkBytes?: number;
  logFile?: string;
  /** Testing: the protocol version announced in Hello. */
  protocolVersion?: number;
}
