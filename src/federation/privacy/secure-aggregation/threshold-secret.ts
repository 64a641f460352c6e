// Shamir secret sharing over GF(2^8), from the audited `shamir-secret-sharing` package, plus
// what secure aggregation needs on top: a rebuilt secret is checked against what its owner
// committed to, and when the shares disagree the honest subset is searched for, so a site that
// lies about a share is named, or the round fails; never a silently wrong secret.

import { combine, split } from "shamir-secret-sharing";

export { split as splitSecret };

export interface HeldShare {
  /** The site that held (and returned) the share. */
  holder: string;
  share: Uint8Array;
}

export interface Rebuilt {
  secret: Uint8Array;
  /** Holders whose share disagrees with the verified secret. */
  liars: string[];
}

function* subsets<T>(items: T[], k: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i <= items.length - (k - prefix.length); i++)
    yield* subsets(items, k, i + 1, [...prefix, items[i]]);
}

/** At most this many threshold-sized subsets are tried when shares disagree. */
const MAX_SUBSETS = 5000;

/**
 * The secret from `threshold` or more shares, accepted only if `verify` holds for it. With all
 * shares consistent that is one interpolation; otherwise threshold-sized subsets are tried, and
 * the holders whose shares disagree with the verified secret are named.
 */
export async function rebuildSecret(
  shares: HeldShare[],
  threshold: number,
  verify: (secret: Uint8Array) => boolean,
  what: string,
): Promise<Rebuilt> {
  if (shares.length < threshold)
    throw new Error(`${what}: ${shares.length} shares returned, ${threshold} needed`);
  const xs = new Set(shares.map((s) => s.share[s.share.length - 1]));
  if (xs.size !== shares.length) throw new Error(`${what}: two returned shares have the same x coordinate`);
  const first = await combine(shares.map((s) => s.share)).catch(() => undefined);
  if (first !== undefined && verify(first)) return { secret: first, liars: [] };
  let tried = 0;
  for (const subset of subsets(shares, threshold)) {
    if (++tried > MAX_SUBSETS) break;
    const secret = await combine(subset.map((s) => s.share)).catch(() => undefined);
    if (secret === undefined || !verify(secret)) continue;
    const liars: string[] = [];
    for (const s of shares) {
      if (subset.includes(s)) continue;
      const check = await combine([...subset.slice(0, threshold - 1), s].map((x) => x.share)).catch(
        () => undefined,
      );
      if (check === undefined || !Buffer.from(check).equals(Buffer.from(secret))) liars.push(s.holder);
    }
    return { secret, liars };
  }
  throw new Error(
    `${what}: the ${shares.length} returned shares rebuild no secret that matches its owner's commitment (a site lied about its share, or too few honest shares)`,
  );
}
