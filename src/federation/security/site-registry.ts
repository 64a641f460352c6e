// Who may join: each site is listed with a token (stored as its SHA-256) and/or identified by its
// client certificate, and can be revoked. Tokens are compared in constant time.

import { createHash, timingSafeEqual } from "node:crypto";

export interface SiteCredentialConfig {
  id: string;
  /** The site's secret in clear (convenient for tests); prefer tokenSha256 in files. */
  token?: string;
  /** Hex SHA-256 of the site's token. */
  tokenSha256?: string;
  revoked?: boolean;
}

type AdmissionDecision =
  | { ok: true }
  | { ok: false; code: "unauthenticated" | "permission_denied"; reason: string };

export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

type Entry = { hash?: Buffer; revoked: boolean };

/** What a new site list changed: sites added, revoked (newly), and no longer listed. */
export interface RegistryChange {
  added: string[];
  revoked: string[];
  removed: string[];
}

function entries(sites: readonly SiteCredentialConfig[]): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const s of sites) {
    if (out.has(s.id)) throw new Error(`site registry: site ${JSON.stringify(s.id)} listed twice`);
    let hash: Buffer | undefined;
    if (s.tokenSha256 !== undefined) {
      if (!/^[0-9a-f]{64}$/i.test(s.tokenSha256))
        throw new Error(`site registry: ${s.id}.tokenSha256 is not 64 hex digits`);
      hash = Buffer.from(s.tokenSha256, "hex");
    } else if (s.token !== undefined) hash = hashToken(s.token);
    out.set(s.id, { hash, revoked: s.revoked === true });
  }
  return out;
}

export class SiteRegistry {
  private sites: Map<string, Entry>;

  constructor(sites: SiteCredentialConfig[]) {
    this.sites = entries(sites);
  }

  /**
   * Takes a new site list as a whole (a running coordinator re-reading its config): checked
   * completely before anything changes, so a bad list leaves the current one in force.
   */
  replace(sites: readonly SiteCredentialConfig[]): RegistryChange {
    const next = entries(sites);
    const change: RegistryChange = { added: [], revoked: [], removed: [] };
    for (const [id, e] of next) {
      const before = this.sites.get(id);
      if (before === undefined) change.added.push(id);
      else if (e.revoked && !before.revoked) change.revoked.push(id);
    }
    for (const id of this.sites.keys()) if (!next.has(id)) change.removed.push(id);
    this.sites = next;
    return change;
  }

  revoke(siteId: string): void {
    const s = this.sites.get(siteId);
    if (s !== undefined) s.revoked = true;
  }

  /**
   * Admits a site by token, or by a verified client certificate whose common name is the site
   * id (mutual TLS). With mTLS required, the certificate must match even when a token is given.
   */
  admit(
    siteId: string,
    token: string,
    certificateName: string | undefined,
    requireCertificate: boolean,
  ): AdmissionDecision {
    const site = this.sites.get(siteId);
    if (site === undefined)
      return { ok: false, code: "unauthenticated", reason: `unknown site ${JSON.stringify(siteId)}` };
    if (site.revoked)
      return { ok: false, code: "permission_denied", reason: `site ${JSON.stringify(siteId)} is revoked` };
    const certificateMatches = certificateName !== undefined && certificateName === siteId;
    if (requireCertificate && !certificateMatches) {
      return {
        ok: false,
        code: "unauthenticated",
        reason: `client certificate names ${JSON.stringify(certificateName ?? null)}, not site ${JSON.stringify(siteId)}`,
      };
    }
    if (certificateMatches && token.length === 0) return { ok: true };
    if (site.hash === undefined) {
      return {
        ok: false,
        code: "unauthenticated",
        reason: `site ${JSON.stringify(siteId)} has no token; a client certificate is required`,
      };
    }
    // Hash first, so both sides of the constant-time comparison have the same length.
    if (!timingSafeEqual(hashToken(token), site.hash)) {
      return { ok: false, code: "unauthenticated", reason: `wrong token for site ${JSON.stringify(siteId)}` };
    }
    return { ok: true };
  }
}
