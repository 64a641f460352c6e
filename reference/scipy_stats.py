#!/usr/bin/env python3
"""Independent reference for the statistics (test/experiments/statistics/), with scipy.stats.

  scipy_stats.py CASES.json

CASES.json is a JSON list, all answered in one run (Python starts once):
  {"id": str, "kind": "wilcoxon", "x": [...], "y": [...], "kwargs": {...}}
      -> {"statistic", "pvalue"} from scipy.stats.wilcoxon(x, y, **kwargs) (defaults when kwargs
         is empty), or {"error": message} when scipy refuses
  {"id": str, "kind": "normal_sf", "z": [...]} -> {"values": scipy.stats.norm.sf(z)}
Prints one JSON object {id: result}, with {"scipy": version} under the id "__version__".
Numbers are repr strings, so no digit is lost on the way.
"""
import json
import sys
import warnings

import scipy
from scipy import stats


def wilcoxon(case):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = stats.wilcoxon(case["x"], case["y"], **case.get("kwargs", {}))
    except ValueError as e:
        return {"error": str(e)}
    return {"statistic": repr(float(res.statistic)), "pvalue": repr(float(res.pvalue))}


def normal_sf(case):
    return {"values": [repr(float(v)) for v in stats.norm.sf(case["z"])]}


KINDS = {"wilcoxon": wilcoxon, "normal_sf": normal_sf}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    out = {c["id"]: KINDS[c["kind"]](c) for c in cases}
    out["__version__"] = {"scipy": scipy.__version__}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
