"""A small storm-like model for sweep tests: cheap, seeded, with a tunable CPU cost and
parameters that make a run fail or kill its process, so the sweep machinery can be tested
without the real models."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from twin.core.model import TwinModel
from twin.core.params import param


@dataclass(frozen=True)
class ToyParams:
    """Parameters of the toy storm."""

    rain_mm_per_h: float = param(50.0, "peak rain intensity", lo=0.0, hi=300.0)
    pumps: int = param(3, "working pumps", lo=0, hi=4)
    blockage: float = param(0.0, "share of inlets blocked", lo=0.0, hi=1.0)
    mode: str = param("a", "a choice parameter", choices=("a", "b", "c"))
    storage_m3: float = param(1000.0, "a lever: extra storage", lo=0.0, hi=1e6)
    work_ms: float = param(0.0, "CPU time spent per run (to test batching)", lo=0.0, hi=1e5)
    fail_above_mm_per_h: float | None = param(None, "raise when rain exceeds this")
    crash_pumps: int | None = param(None, "kill the process when pumps equals this")


@dataclass(frozen=True)
class PumpFailure:
    """Some pumps stop."""

    pumps_lost: int = param(1, "pumps that stop", lo=0, hi=4)


@dataclass(frozen=True)
class Clog:
    """Debris blocks the inlets."""

    fraction: float = param(0.5, "share of inlets blocked", lo=0.0, hi=1.0)


class ToyStorm(TwinModel):
    """Toy storm: flood volume grows with rain and blockage, falls with pumps and storage."""

    name = "toystorm"
    Params = ToyParams
    events = {"pump_failure": PumpFailure, "clog": Clog}

    def handle(self, kind: str, payload) -> None:
        if kind == "pump_failure":
            self.pumps = max(0, self.pumps - payload.pumps_lost)
        else:
            self.blockage = payload.fraction

    def start(self) -> None:
        p = self.params
        if p.fail_above_mm_per_h is not None and p.rain_mm_per_h > p.fail_above_mm_per_h:
            raise RuntimeError(f"rain {p.rain_mm_per_h:.1f} mm/h is too much for the toy")
        if p.crash_pumps is not None and p.pumps == p.crash_pumps:
            os._exit(13)
        self.rng = self.ctx.streams.generator("toystorm")
        self.pumps, self.blockage = p.pumps, p.blockage
        rec = self.ctx.recorder
        rec.declare("level_m", units="m", long_name="water level", time_dim="hour")
        rec.declare("load", dims=("district",), units="m3", long_name="load per district",
                    coords={"district": list(self.ctx.city.districts.name)}, time_dim=None)
        rec.declare("flood_m3", units="m3", long_name="flood volume", time_dim=None)
        self.level = 0.0
        self.ctx.clock.every(3600.0, self.tick)

    def tick(self, t_s: float) -> None:
        p = self.params
        self.level += 0.01 * p.rain_mm_per_h * (1 + self.blockage) - 0.1 * self.pumps \
            + self.rng.normal(0, 0.05)
        self.level = max(self.level, 0.0)
        self.ctx.recorder.append("level_m", t_s, self.level)

    def finish(self) -> None:
        p = self.params
        if p.work_ms:
            end = time.perf_counter() + p.work_ms / 1000.0
            while time.perf_counter() < end:
                pass
        n = len(self.ctx.city.districts)
        base = max(0.0, 40.0 * p.rain_mm_per_h * (1 + 2 * self.blockage) - 900.0 * self.pumps
                   - 0.5 * p.storage_m3 + (300.0 if p.mode == "c" else 0.0))
        flood = base + self.rng.normal(0.0, 50.0)
        self.ctx.recorder.set("flood_m3", max(flood, 0.0))
        self.ctx.recorder.set("load", np.full(n, flood / n) + self.rng.normal(0, 1.0, n))
