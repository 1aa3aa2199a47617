"""Explicit randomness: a run's streams derive from (root seed, scenario index, replicate) and a
stable stream name, never from the policy, so policies see the same storms and households
(common random numbers) and any run's stream can be rebuilt alone on any worker."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np


def stable_id(name: str) -> int:
    """A name's 32-bit id, stable across processes and Python versions (unlike hash())."""
    return zlib.crc32(name.encode("utf-8"))


@dataclass(frozen=True)
class RunSeed:
    """Identifies a run's randomness: root seed, scenario index and replicate."""

    root: int
    scenario: int = 0
    replicate: int = 0

    def sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.root,
                                      spawn_key=(self.scenario, self.replicate, stable_id(name)))


class Streams:
    """Named child streams of one run: `streams.generator("households")`."""

    def __init__(self, seed: RunSeed):
        self.seed = seed

    def generator(self, name: str) -> np.random.Generator:
        """A fresh PCG64 generator for the named stream (same name, same numbers)."""
        return np.random.Generator(np.random.PCG64(self.seed.sequence(name)))

    def int_seed(self, name: str) -> int:
        """A 31-bit integer seed for engines that take one (solvers, Mesa's `rng`)."""
        return int(self.seed.sequence(name).generate_state(1, np.uint32)[0] >> 1)
