"""A sweep warns about outputs that cannot tell its policies apart."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from twin.coupling import Channel
from twin.sweep.analysis import format_report
from twin.sweep.responsive import unresponsive, upstream


class Rain:
    name, publishes, reads = "rain", (Channel("wet", "1", "d", "rain"),), ()


class Roads:
    name, publishes, reads = "roads", (Channel("closed", "1", "d", "roads"),), ("wet",)


class Bins:
    name, publishes, reads = "bins", (), ("closed",)


CLASSES = {c.name: c for c in (Rain, Roads, Bins)}


def store(values: dict[str, tuple[np.ndarray, str]], levers=("rain.mm",)) -> xr.Dataset:
    """A sweep store's shape: 4 pairs x 2 policies, run-major."""
    n = 8
    data = {v: ("run", y, {"model": m}) for v, (y, m) in values.items()}
    return xr.Dataset(
        {**data, "status": ("run", np.ones(n, dtype=np.int8))},
        coords={"policy": ("run", np.tile(["a", "b"], 4)), "scenario": ("run", np.repeat(
            np.arange(4), 2)), "replicate": ("run", np.zeros(n, dtype=int))},
        attrs={"n_scenarios": 4, "levers": json.dumps(list(levers)),
               "policies": json.dumps(["a", "b"])})


def test_upstream_follows_the_channels():
    assert upstream("bins", CLASSES) == {"roads", "rain"}
    assert upstream("rain", CLASSES) == set()


def test_an_output_no_lever_reaches_is_named_with_the_reason():
    same = np.repeat([1.0, 2.0, 3.0, 4.0], 2)
    moved = same + np.tile([0.0, 0.5], 4)
    ds = store({"flood": (moved, "rain"), "bins_full": (same, "bins"), "count": (same, "rain")})
    w = {x["output"]: x for x in unresponsive(ds, ["flood", "bins_full", "count"], CLASSES)}
    assert set(w) == {"bins_full", "count"}  # flood moved: no warning
    assert not w["bins_full"]["cannot_respond"]  # bins reads roads, which reads rain
    assert not w["count"]["cannot_respond"] and "below its resolution" in w["count"]["sentence"]
    cut = store({"bins_full": (same, "bins")}, levers=("bins.size",))
    (c,) = unresponsive(cut, ["bins_full"], CLASSES)  # the lever's own model: no claim
    assert not c["cannot_respond"]
    blind = store({"rain_mm": (same, "rain")}, levers=("bins.size",))
    (b,) = unresponsive(blind, ["rain_mm"], CLASSES)
    assert b["cannot_respond"] and "no channel carries anything from bins" in b["sentence"]


def test_the_report_prints_the_warnings():
    rep = {"sweep": "s", "runs": 8, "ok": 8, "failed": 0, "pending": 0, "outputs": [],
           "differences": [], "sensitivity": [], "discovery": [],
           "warnings": [{"sentence": "x cannot respond"}]}
    assert "warnings (outputs that cannot respond to the policies):\n  x cannot respond" in \
        format_report(rep)
