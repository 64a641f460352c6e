#!/usr/bin/env python3
"""Paired comparison of two seed sweeps of the same study that differ in one setting (e.g.
training.precision fp32 against bf16): per arm and organ the mean Dice of each and their
difference; over all seed x arm x organ cells the mean difference, its t interval and a Wilcoxon
test; and equivalence within +-margin by two one-sided t tests on each seed's mean over its cells
(cells of one seed share a run, so the seed is the independent unit).

Each side is one or more `segviz experiment --seeds` output folders (their seeds.json); seeds
present on both sides are paired. Needs scipy (Debian python3-scipy; scripts/setup.sh --dev).

  python3 scripts/compare-seed-runs.py --a out/fp32 out/fp32-more --b out/bf16 out/bf16-more [--margin 0.02]
"""
import argparse
import json
import math
import statistics as st
import sys

from scipy import stats


def per_seed_dice(folders):
    dice = {}
    for folder in folders:
        path = f"{folder}/seeds.json"
        try:
            summary = json.load(open(path))
        except (OSError, ValueError) as e:
            sys.exit(f"compare-seed-runs: {path}: {e}")
        for arm, organs in summary["metrics"]["dice"].items():
            for organ, values in organs.items():
                for seed, value in zip(summary["seeds"], values["perSeed"]):
                    dice[(arm, organ, seed)] = value
    return dice


def t_interval(values):
    n = len(values)
    m = st.mean(values)
    se = st.stdev(values) / math.sqrt(n)
    t = stats.t.ppf(0.975, n - 1)
    return m, se, m - t * se, m + t * se


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--a", nargs="+", required=True, help="sweep folders of the reference setting")
    p.add_argument("--b", nargs="+", required=True, help="sweep folders of the other setting")
    p.add_argument("--margin", type=float, default=0.02)
    args = p.parse_args()
    a, b = per_seed_dice(args.a), per_seed_dice(args.b)
    keys = sorted(set(a) & set(b))
    if not keys:
        sys.exit("compare-seed-runs: the two sides share no seed x arm x organ cell")
    seeds = sorted({k[2] for k in keys})
    cells = list(dict.fromkeys((k[0], k[1]) for k in keys))
    if len(seeds) < 2:
        sys.exit("compare-seed-runs: at least 2 paired seeds are needed")
    print(f"paired seeds {seeds}")
    print(f"{'arm':15} {'organ':9} {'a':>6} {'b':>6} {'b - a':>7} {'sd(diff)':>8}")
    for arm, organ in cells:
        xa = [a[(arm, organ, s)] for s in seeds if (arm, organ, s) in b]
        xb = [b[(arm, organ, s)] for s in seeds if (arm, organ, s) in a]
        d = [y - x for x, y in zip(xa, xb)]
        print(f"{arm:15} {organ:9} {st.mean(xa):6.3f} {st.mean(xb):6.3f} {st.mean(d):+7.3f} {st.stdev(d):8.3f}")
    d = [b[k] - a[k] for k in keys]
    m, _, lo, hi = t_interval(d)
    print(
        f"{len(d)} seed x arm x organ cells: mean b - a {m:+.4f}, 95% CI [{lo:+.4f}, {hi:+.4f}], "
        f"range {min(d):+.3f}..{max(d):+.3f}; Wilcoxon p = {stats.wilcoxon(d).pvalue:.2f}"
    )
    by_seed = [st.mean([b[k] - a[k] for k in keys if k[2] == s]) for s in seeds]
    m, se, lo, hi = t_interval(by_seed)
    print(
        f"per seed, mean over its cells: {' '.join(f'{x:+.4f}' for x in by_seed)}; "
        f"mean {m:+.4f}, 95% CI [{lo:+.4f}, {hi:+.4f}]"
    )
    df = len(by_seed) - 1
    p_tost = max(1 - stats.t.cdf((m + args.margin) / se, df), stats.t.cdf((m - args.margin) / se, df))
    print(f"equivalence within +-{args.margin} (two one-sided t tests on the per-seed means): p = {p_tost:.3f}")


if __name__ == "__main__":
    main()
