"""Independent reference for the RDP accountant: A_alpha of the sampled Gaussian mechanism by
numerical integration in multi-precision arithmetic (mpmath), straight from its definition
    A_alpha = E_{x ~ N(0, s^2)} [ ((1 - q) + q * exp((2x - 1) / (2 s^2)))^alpha ]
(Mironov, Talwar and Zhang 2019, Section 3.3). Prints one RDP value, log(A_alpha)/(alpha - 1),
per "q,sigma,alpha" argument, as JSON."""
import json
import sys

import mpmath

mpmath.mp.dps = 50


def rdp(q, sigma, alpha):
    q, sigma, alpha = mpmath.mpf(q), mpmath.mpf(sigma), mpmath.mpf(alpha)

    def integrand(x):
        ratio = (1 - q) + q * mpmath.exp((2 * x - 1) / (2 * sigma**2))
        return mpmath.npdf(x, 0, sigma) * ratio**alpha

    # The integrand's mass sits between 0 and about alpha: split there for quadrature accuracy.
    points = [-mpmath.inf, -20 * sigma, 0, mpmath.mpf(1) / 2, alpha, alpha + 20 * sigma, mpmath.inf]
    a = mpmath.quad(integrand, points)
    return float(mpmath.log(a) / (alpha - 1))


print(json.dumps([rdp(*map(float, arg.split(","))) for arg in sys.argv[1:]]))
