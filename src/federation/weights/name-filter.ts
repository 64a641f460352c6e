// Which tensors leave a site, decided by name patterns as NVFlare's variable filters do: a name
// is shared when it matches an include pattern and no exclude pattern. Patterns use * (any run
// of characters, dots included) and ? (exactly one character).

import type { WeightSet } from "./weight-set.js";

function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

export class NameFilter {
  private readonly includeRe: RegExp[];
  private readonly excludeRe: RegExp[];

  constructor(
    readonly include: readonly string[] = ["*"],
    readonly exclude: readonly string[] = [],
  ) {
    this.includeRe = include.map(patternToRegExp);
    this.excludeRe = exclude.map(patternToRegExp);
  }

  shares(name: string): boolean {
    return this.includeRe.some((r) => r.test(name)) && !this.excludeRe.some((r) => r.test(name));
  }

  /** The shared part of a weight set (same tensor objects, not copies). */
  shared(weights: WeightSet): WeightSet {
    return new Map([...weights].filter(([name]) => this.shares(name)));
  }

  /** The part that stays at the site. */
  local(weights: WeightSet): WeightSet {
    return new Map([...weights].filter(([name]) => !this.shares(name)));
  }

  /** A filter that shares only what both filters share. */
  and(other: NameFilter): NameFilter {
    return new IntersectionFilter(this, other);
  }
}

class IntersectionFilter extends NameFilter {
  constructor(
    private readonly a: NameFilter,
    private readonly b: NameFilter,
  ) {
    super([...a.include], [...a.exclude, ...b.exclude]);
  }

  override shares(name: string): boolean {
    return this.a.shares(name) && this.b.shares(name);
  }
}
