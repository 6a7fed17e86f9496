"""Buy-till-you-die models, our own small implementation on scipy: BG/NBD and Gamma-Gamma.

    bg = BetaGeo.fit(x, t_x, T)                    # repeat count, recency, age (weeks)
    bg.p_no_purchase(x, t_x, T, t=39)              # the honest churn score for a holdout of t weeks
    gg = GammaGamma.fit(x[x > 0], mean_value[x > 0])
    clv = bg.expected_purchases(x, t_x, T, 52) * gg.expected_value(x, mean_value)

Why our own: `lifetimes` is unmaintained and `pymc-marketing` is heavy; the likelihoods are a
few lines (Fader, Hardie & Lee 2005; Fader & Hardie 2013) and tests check them against
`lifetimes` 0.11.3. Why not ``1 - P(alive)``: a customer with no repeat purchase has
P(alive) = 1 and is the most likely to churn. The score we use is the probability of no
purchase in the next ``t``: (1 - P_alive) + P_alive * ((alpha+T) / (alpha+T+t))^(r+x).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1


def _arrays(*values):
    return [np.asarray(v, dtype=float) for v in values]


@dataclass(frozen=True)
class BetaGeo:
    """BG/NBD: purchases ~ Poisson(lambda) while alive, drop-out after each purchase with prob p."""

    r: float
    alpha: float
    a: float
    b: float

    @staticmethod
    def log_likelihood(params, x, t_x, T) -> np.ndarray:
        r, alpha, a, b = params
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        a3 = -(r + x) * np.log(alpha + T)
        repeat = x > 0
        a4 = np.full_like(x, -np.inf)
        a4[repeat] = (np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
        return a1 + a2 + np.logaddexp(a3, a4)

    @classmethod
    def fit(cls, x, t_x, T, *, penalizer: float = 0.0) -> BetaGeo:
        x, t_x, T = _arrays(x, t_x, T)
        if len(x) < 2 or np.any(t_x > T) or np.any(x < 0):
            raise ValueError("BG/NBD needs at least two customers with 0 <= recency <= age")

        def loss(log_params):
            params = np.exp(log_params)
            return -cls.log_likelihood(params, x, t_x, T).mean() + penalizer * np.sum(params ** 2)

        start = np.log([1.0, max(float(T.mean()), 1.0), 1.0, 1.0])
        best = minimize(loss, start, method="L-BFGS-B")  # smooth in log-parameters: quasi-Newton suffices
        return cls(*map(float, np.exp(best.x)))

    def p_alive(self, x, t_x, T) -> np.ndarray:
        x, t_x, T = _arrays(x, t_x, T)
        ratio = np.zeros_like(x)
        repeat = x > 0
        ratio[repeat] = np.exp(np.log(self.a) - np.log(self.b + x[repeat] - 1)
                               + (self.r + x[repeat]) * (np.log(self.alpha + T[repeat]) - np.log(self.alpha + t_x[repeat])))
        return 1.0 / (1.0 + ratio)

    def p_no_purchase(self, x, t_x, T, t: float) -> np.ndarray:
        """P(no purchase in the next t | history): the churn score for a window of length t."""
        x, t_x, T = _arrays(x, t_x, T)
        alive = self.p_alive(x, t_x, T)
        silent_if_alive = np.exp((self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + T + t)))
        return (1.0 - alive) + alive * silent_if_alive

    def expected_purchases(self, x, t_x, T, t: float) -> np.ndarray:
        """E[purchases in the next t | history] (Fader, Hardie & Lee 2005, eq. 10)."""
        x, t_x, T = _arrays(x, t_x, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        a = a if abs(a - 1) > 1e-9 else 1 + 1e-9  # the closed form is singular only at a == 1
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        first = (a + b + x - 1) / (a - 1)
        second = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
        repeat = (x > 0).astype(float)
        denominator = 1 + repeat * (a / (b + x - 1 + (1 - repeat))) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        return first * second / denominator


@dataclass(frozen=True)
class GammaGamma:
    """Spend per transaction ~ Gamma(p, nu), nu ~ Gamma(q, v) across customers."""

    p: float
    q: float
    v: float

    @staticmethod
    def log_likelihood(params, x, m) -> np.ndarray:
        p, q, v = params
        return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
                + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))

    @classmethod
    def fit(cls, x, mean_value) -> GammaGamma:
        """x: repeat purchases (> 0), mean_value: their average value (> 0)."""
        x, m = _arrays(x, mean_value)
        keep = (x > 0) & (m > 0)
        x, m = x[keep], m[keep]
        if len(x) < 2:
            raise ValueError("Gamma-Gamma needs at least two repeat customers with positive spend")

        def loss(log_params):
            return -cls.log_likelihood(np.exp(log_params), x, m).mean()

        start = np.log([1.0, 2.0, max(float(m.mean()), 1.0)])
        best = minimize(loss, start, method="L-BFGS-B")
        return cls(*map(float, np.exp(best.x)))

    def expected_value(self, x, mean_value) -> np.ndarray:
        """E[spend per transaction | history]; customers without repeats get the population mean."""
        x, m = _arrays(x, mean_value)
        p, q, v = self.p, self.q, self.v
        population = p * v / (q - 1) if q > 1 else float(np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            conditional = p * (v + x * m) / (p * x + q - 1)
        return np.where(x > 0, conditional, population)
