import datetime as dt
from dataclasses import FrozenInstanceError, dataclass
from pathlib import Path

import numpy as np
import pytest

from twin.core.clock import Calendar
from twin.core.errors import ScenarioError, TwinError
from twin.core.params import build, describe, param
from twin.core.recorder import Recorder


@dataclass(frozen=True)
class Demo:
    """Every supported field type."""

    rate_per_h: float = param(1.0, "a rate", lo=0.0, hi=10.0)
    count: int = param(2, "a count", lo=1)
    on: bool = param(True, "a switch")
    mode: str = param("x", "a mode", choices=("x", "y"))
    when: dt.date | None = param(None, "a date")
    network: Path | None = param(None, "a file")
    levels_m: tuple[float, ...] = param((0.1, 0.2), "levels", lo=0.0)


def test_describe_lists_fields_with_docs_and_bounds():
    info = {p.name: p for p in describe(Demo)}
    assert info["rate_per_h"].doc == "a rate" and info["rate_per_h"].hi == 10.0
    assert info["when"].optional and info["when"].base_type is dt.date
    assert "from 0.0 to 10.0" in info["rate_per_h"].allowed()


def test_build_coerces_and_resolves_paths(tmp_path):
    (tmp_path / "net.inp").write_text("x")
    obj = build(Demo, {"rate_per_h": 2, "when": dt.date(2020, 1, 1), "network": "net.inp",
                       "levels_m": [1, 2]}, base_dir=tmp_path)
    assert obj.rate_per_h == 2.0 and isinstance(obj.rate_per_h, float)
    assert obj.network == (tmp_path / "net.inp").resolve() and obj.levels_m == (1.0, 2.0)
    with pytest.raises(FrozenInstanceError):
        obj.count = 3


@pytest.mark.parametrize("key,value,fragment", [
    ("rate_per_h", 11.0, "out of range"),
    ("rate_per_h", "fast", "allowed: a number"),
    ("count", 1.5, "allowed: an integer"),
    ("on", 1, "allowed: true or false"),
    ("mode", "z", "allowed: one of 'x', 'y'"),
    ("network", "missing.inp", "file not found"),
    ("levels_m", [-1], "allowed"),
    ("speed", 1, "unknown parameter; allowed: rate_per_h, count"),
])
def test_build_refuses_bad_values_naming_the_key(tmp_path, key, value, fragment):
    with pytest.raises(ScenarioError) as e:
        build(Demo, {key: value}, path="s.toml", section="models.demo", base_dir=tmp_path)
    assert f"s.toml: models.demo.{key}" in str(e.value) and fragment in str(e.value)


def test_recorder_builds_dataset_with_units_and_time():
    rec = Recorder(Calendar(dt.datetime(2020, 1, 1)))
    rec.declare("x", dims=("district",), units="t/d", long_name="tonnes",
                coords={"district": ["a", "b"]})
    rec.coord("district_zh", ["甲", "乙"], dim="district")
    rec.declare("total", units="t", long_name="total", time_dim=None)
    rec.append("x", 0, [1, 2])
    rec.append("x", 86_400, [3, 4])
    rec.set("total", 10)
    ds = rec.to_dataset({"seed": 1})
    assert ds["x"].dims == ("day", "district") and ds["x"].attrs["units"] == "t/d"
    assert str(ds["day"].values[1])[:10] == "2020-01-02"
    assert list(ds["district_zh"].values) == ["甲", "乙"]
    assert float(ds["total"]) == 10 and ds.attrs["seed"] == 1
    for v in ds.data_vars.values():
        assert v.attrs["units"] and v.attrs["long_name"]
    rec.model = "other"
    with pytest.raises(TwinError, match="'x' was already declared by model"):
        rec.declare("x", units="1", long_name="again")


def _rec():
    rec = Recorder(Calendar(dt.datetime(2020, 1, 1)))
    rec.model = "m1"
    return rec


def test_a_shared_base_refuses_times_off_its_grid_at_the_append():
    rec = _rec()
    rec.declare("a", units="1", long_name="a")
    with pytest.raises(TwinError, match="model 'm1': 'a' appended at t = 60 s.*time base 'day'"):
        rec.append("a", 60, 1.0)


def test_a_variable_that_skips_a_tick_is_caught_at_its_next_append():
    rec = _rec()
    rec.declare("a", units="1", long_name="a")
    rec.declare("b", units="1", long_name="b")
    for t in (0, 86_400):
        rec.append("a", t, 1.0)
    rec.append("b", 0, 1.0)
    rec.append("b", 86_400, 1.0)  # late is fine, in order
    rec.append("a", 2 * 86_400, 1.0)
    with pytest.raises(TwinError, match="'b' appended at t = 259200 s.*row 2 at t = 172800"):
        rec.append("b", 3 * 86_400, 1.0)


def test_another_models_time_base_is_refused_at_the_declare():
    rec = _rec()
    rec.time_base("m1_time", long_name="events of m1")
    rec.model = "m2"
    with pytest.raises(TwinError, match="model 'm2': variable 'v' is on time base 'm1_time', "
                       "owned by model 'm1'"):
        rec.declare("v", units="1", long_name="v", time_dim="m1_time")
    with pytest.raises(TwinError, match="not declared"):
        rec.declare("w", units="1", long_name="w", time_dim="time")
    with pytest.raises(TwinError, match="exists"):
        rec.time_base("day", long_name="mine")


def test_own_time_bases_take_any_increasing_times_and_sit_beside_days():
    rec = _rec()
    rec.time_base("m1_time", long_name="events")
    rec.declare("e", units="1", long_name="e", time_dim="m1_time")
    rec.declare("d", units="1", long_name="d")
    for t in (0, 17.5, 4000):
        rec.append("e", t, t)
    rec.append("d", 0, 1.0)
    with pytest.raises(TwinError, match="times must increase"):
        rec.append("e", 10, 0)
    ds = rec.to_dataset()
    assert ds["e"].dims == ("m1_time",) and ds["d"].dims == ("day",)
    assert ds["e"].attrs["model"] == "m1" and ds.sizes["m1_time"] == 3


def test_recorder_copies_reused_buffers():
    rec = Recorder(Calendar(dt.datetime(2020, 1, 1)))
    rec.declare("x", dims=("k",), units="1", long_name="x", coords={"k": [0, 1]},
                time_dim="hour")
    buf = np.zeros(2)
    for t in range(3):
        buf[:] = t
        rec.append("x", t * 3600, buf)
    assert rec.to_dataset()["x"].values[:, 0].tolist() == [0, 1, 2]


def test_scenario_error_survives_rebuild_from_args():
    import pickle

    e = ScenarioError("a.toml", "models.x", "must be >= 0")
    for again in (type(e)(*e.args), pickle.loads(pickle.dumps(e))):
        assert str(again) == str(e) == "a.toml: models.x: must be >= 0"
