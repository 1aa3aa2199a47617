"""Replicates of one scenario until its headline figures are known within a stated half-width.

Each replicate is an independent run (`replicate=i` of the run's seed: other streams, same
scenario); its mean over the reported window is one observation. After `min_reps` runs the
95% t-interval of every headline figure is checked against its target; the runs go on until
all are met or `max_reps` is reached (then the table says which targets were not met).

Called by the CLI (`twin run SCENARIO --until-known`, wired by the lead)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from twin.models.waste.headline import HEADLINE, daily, interval, landfill_share

# figure -> (half-width target, "abs" in the figure's unit or "rel" as a share of the mean)
TARGETS = {
    "landfill_share": (1.0, "abs"),       # +- 1 percentage point of generated
    "zero_landfill_days": (5.0, "abs"),   # +- 5 percentage points of days
    "recycling_rate": (1.0, "abs"),       # +- 1 percentage point
    "cost_cny": (0.02, "rel"),            # +- 2% of the daily cost
}


@dataclass
class Replicates:
    """Per-run means of each headline figure and the interval across runs."""

    name: str
    runs: dict[str, list[float]] = field(default_factory=dict)
    targets: dict = field(default_factory=lambda: dict(TARGETS))

    def add(self, ds) -> None:
        for k, v in run_means(ds).items():
            self.runs.setdefault(k, []).append(v)

    @property
    def n(self) -> int:
        return len(next(iter(self.runs.values()), []))

    def intervals(self) -> dict[str, tuple[float, float, int]]:
        return {k: interval(v) for k, v in self.runs.items()}

    def unmet(self) -> list[str]:
        """Headline figures whose half-width is still above its target."""
        out = []
        for k, (target, kind) in self.targets.items():
            m, hw, _ = interval(self.runs.get(k, []))
            limit = target * abs(m) if kind == "rel" else target
            if not (math.isfinite(hw) and hw <= limit):
                out.append(k)
        return out

    def rows(self) -> list[tuple]:
        from twin.models.waste.headline import rows

        return rows(self.intervals(), "replicates")


def run_means(ds) -> dict[str, float]:
    """One run's headline figures over its reported window (landfill share: total over
    total)."""
    out = {k: float(np.nanmean(v)) if np.isfinite(v).any() else math.nan
           for k, v in daily(ds).items()}
    out["landfill_share"] = landfill_share(ds)
    return out


def until_known(scenario, *, min_reps: int = 3, max_reps: int = 10, targets=None,
                on_run=None) -> Replicates:
    """Run replicates 0, 1, ... of `scenario` until every target half-width is met;
    `on_run(i, ds)` sees each run (to store it)."""
    from twin.core.run import run

    reps = Replicates(scenario.name, targets=dict(targets or TARGETS))
    for i in range(max_reps):
        ds = run(scenario, replicate=i)
        reps.add(ds)
        if on_run:
            on_run(i, ds)
        if reps.n >= min_reps and not reps.unmet():
            break
    return reps


def format_replicates(reps: Replicates) -> str:
    """The headline table with intervals and the targets not met."""
    from twin.cli import format_table

    lines = [f"{reps.name}: {reps.n} replicates", format_table(reps.rows())]
    unmet = reps.unmet()
    if unmet:
        lines.append("  half-width targets not met: " + ", ".join(
            f"{HEADLINE[k][0]} (target {reps.targets[k][0]:g}"
            f"{' x mean' if reps.targets[k][1] == 'rel' else ''})" for k in unmet))
    return "\n".join(lines)


def main(path: str, *, out_dir=None, min_reps: int = 3, max_reps: int = 10) -> Replicates:
    """`twin run PATH --until-known`: replicates until the headline figures are known; each
    run stored as <out_dir>/<scenario>-r<i>.zarr when out_dir is given (the waste app pools
    runs of one scenario as replicates)."""
    from pathlib import Path

    from twin.core.results import write_results
    from twin.core.scenario import load_scenario

    def on_run(i, ds):
        if out_dir is not None:
            write_results(ds, Path(out_dir) / f"{ds.attrs.get('scenario', 'run')}-r{i}.zarr")
        print(f"  replicate {i} done", flush=True)

    reps = until_known(load_scenario(path), min_reps=min_reps, max_reps=max_reps,
                       on_run=on_run)
    print(format_replicates(reps))
    return reps
