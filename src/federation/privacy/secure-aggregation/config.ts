// Secure aggregation settings (coordinator.json's secureAggregation) and the checks that keep the
// masked sum exact: every site's quantised value and the sum of all of them fit the ring Z_2^32.

export interface SecureAggregationConfig {
  /**
   * Shares needed to rebuild a site's secrets; also the fewest sites that must stay to the end of
   * a round. At least 2; more than half the sites keeps a minority from unmasking anyone.
   */
  threshold: number;
  /** Quantisation bits per value (sign included). Default 24: 2^8 - 1 = 255 sites at most. */
  bits?: number;
  /**
   * Each float value of an update (the change from the global weights, times the site's weight)
   * is clipped to [-clipRange, clipRange] before quantisation. Default 8. Clipped values are
   * counted and reported by the site (metric secaggClippedValues), never silently.
   */
  clipRange?: number;
}

export interface SecureAggregationSettings {
  threshold: number;
  bits: number;
  clipRange: number;
}

export const SECURE_AGGREGATION_DEFAULTS = { bits: 24, clipRange: 8 };

/** The settings with defaults, or an error naming the field; `sites` is the number of sites listed. */
export function secureAggregationSettings(
  config: SecureAggregationConfig,
  sites: number,
): SecureAggregationSettings {
  const s = { ...SECURE_AGGREGATION_DEFAULTS, ...config };
  if (!Number.isInteger(s.threshold) || s.threshold < 2)
    throw new Error(`secureAggregation.threshold must be an integer >= 2, got ${s.threshold}`);
  if (s.threshold > 255)
    throw new Error(`secureAggregation.threshold must be at most 255, got ${s.threshold}`);
  if (!Number.isInteger(s.bits) || s.bits < 8 || s.bits > 30)
    throw new Error(`secureAggregation.bits must be an integer from 8 to 30, got ${s.bits}`);
  if (!(s.clipRange > 0) || !Number.isFinite(s.clipRange))
    throw new Error(`secureAggregation.clipRange must be a positive number, got ${s.clipRange}`);
  const most = maxSites(s.bits);
  if (sites > most)
    throw new Error(
      `secureAggregation.bits ${s.bits} leaves room for at most ${most} sites in a 32-bit sum, but ${sites} are listed; lower bits`,
    );
  return s;
}

/** Sites whose quantised values can be summed without wrapping: m * (2^(bits-1) - 1) < 2^31. */
export function maxSites(bits: number): number {
  return Math.min(255, Math.floor((2 ** 31 - 1) / (2 ** (bits - 1) - 1)));
}

/** The largest quantised magnitude. */
export function quantisationLevels(bits: number): number {
  return 2 ** (bits - 1) - 1;
}
