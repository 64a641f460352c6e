#!/usr/bin/env python3
"""Reads a JSON list of 4x4 affines on stdin and prints nibabel's aff2axcodes for each, as a JSON
list of strings ("?" for an axis nibabel reports as None)."""

import json
import sys

import numpy as np
from nibabel.orientations import aff2axcodes


def main():
    affines = json.load(sys.stdin)
    codes = ["".join(c if c is not None else "?" for c in aff2axcodes(np.array(a))) for a in affines]
    json.dump(codes, sys.stdout)


if __name__ == "__main__":
    main()
