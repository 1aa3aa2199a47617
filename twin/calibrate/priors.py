"""Priors of the free parameters: uniform, log-uniform, normal and lognormal, each with bounds.

SMC works in an internal coordinate per parameter (the log for log-uniform and lognormal
priors), where the perturbation kernel is Gaussian and the prior density is that of a
(truncated) uniform or normal; `to_value` maps back to the parameter's own units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

KINDS = ("uniform", "log-uniform", "normal", "lognormal")


@dataclass(frozen=True)
class Prior:
    """One free parameter `model.param`: its prior and the bounds it never leaves."""

    key: str
    kind: str
    lo: float
    hi: float
    mean: float = 0.0  # normal: mean; lognormal: log of the median
    sd: float = 1.0  # normal: sd; lognormal: sigma of the log
    integer: bool = False

    @property
    def log(self) -> bool:
        return self.kind in ("log-uniform", "lognormal")

    def _bounds(self) -> tuple[float, float]:
        return (math.log(self.lo), math.log(self.hi)) if self.log else (self.lo, self.hi)

    def _dist(self):
        a, b = self._bounds()
        if self.kind in ("uniform", "log-uniform"):
            return stats.uniform(a, b - a)
        return stats.truncnorm((a - self.mean) / self.sd, (b - self.mean) / self.sd,
                               loc=self.mean, scale=self.sd)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n draws in internal coordinates."""
        return self._dist().ppf(rng.uniform(size=n))

    def logpdf(self, z: np.ndarray) -> np.ndarray:
        """Log density in internal coordinates (-inf outside the bounds)."""
        a, b = self._bounds()
        z = np.asarray(z, dtype=float)
        out = np.full(z.shape, -np.inf)
        inside = (z >= a) & (z <= b)
        out[inside] = self._dist().logpdf(z[inside])
        return out

    def to_value(self, z: float):
        v = math.exp(z) if self.log else float(z)
        v = min(max(v, self.lo), self.hi)
        return int(round(v)) if self.integer else v

    def to_internal(self, v: float) -> float:
        return math.log(v) if self.log else float(v)

    def describe(self) -> str:
        if self.kind == "uniform":
            return f"uniform({self.lo:g}, {self.hi:g})"
        if self.kind == "log-uniform":
            return f"log-uniform({self.lo:g}, {self.hi:g})"
        if self.kind == "normal":
            return f"normal({self.mean:g}, {self.sd:g}) on [{self.lo:g}, {self.hi:g}]"
        return (f"lognormal(median {math.exp(self.mean):g}, sigma {self.sd:g}) on "
                f"[{self.lo:g}, {self.hi:g}]")


def sample_internal(priors: tuple[Prior, ...], rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, parameters) draws from the joint prior (independent) in internal coordinates."""
    return np.column_stack([p.sample(rng, n) for p in priors]) if priors else np.zeros((n, 0))


def logpdf_internal(priors: tuple[Prior, ...], z: np.ndarray) -> np.ndarray:
    return sum((p.logpdf(z[:, i]) for i, p in enumerate(priors)), np.zeros(len(z)))


def values(priors: tuple[Prior, ...], z: np.ndarray) -> list[tuple[tuple[str, object], ...]]:
    """Parameter changes per row of internal coordinates, for the scenario runner."""
    return [tuple((p.key, p.to_value(float(x))) for p, x in zip(priors, row, strict=True))
            for row in z]
