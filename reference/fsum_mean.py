"""The exactly rounded weighted mean of float32 updates: the reference for RunningMean.

Reads K x N little-endian float32 values from the file named by argv[1] (update k's N values
after update k-1's) and K integer weights from argv[2] (comma-separated). For each element:
math.fsum of w_k * x_k (exact products in float64), divided by sum(w), rounded to float32.
Writes the N float32 results, little-endian, to argv[3].
"""
import math
import sys

import numpy as np

weights = [int(w) for w in sys.argv[2].split(",")]
k = len(weights)
data = np.fromfile(sys.argv[1], dtype="<f4").astype(np.float64).reshape(k, -1)
total = float(sum(weights))
out = np.empty(data.shape[1], dtype="<f4")
for i in range(data.shape[1]):
    out[i] = np.float32(math.fsum(weights[j] * data[j, i] for j in range(k)) / total)
out.tofile(sys.argv[3])
