"""Fixtures for sweep tests: the toy storm model (importable on workers: tests/ is on their
sys.path), sweep files written into tmp folders, a shared local Dask cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

BASE = """
[scenario]
name = "toybase"
start = 2024-07-01
horizon_hours = 6
seed = 5
[city]
builtin = "small"
[models.toystorm]
work_ms = {work_ms}
"""

SWEEP = """
[sweep]
name = "toy"
base = "base.toml"
replicates = 2
root_seed = 42
chunk_runs = 8
[design]
kind = "latin_hypercube"
samples = 6
[uncertainties]
"toystorm.rain_mm_per_h" = {{ range = [10, 200] }}
toystorm.pumps = {{ range = [0, 4] }}
toystorm.mode = {{ values = ["a", "b", "c"] }}
[levers]
"toystorm.storage_m3" = [0, 2000]
[outputs]
flood = "flood_m3"
peak_level = {{ var = "level_m", reduce = "max" }}
level = "level_m"
load = "load"
{extra}
"""


@pytest.fixture(scope="session")
def toy():
    from sweep.toy_model import ToyStorm
    from twin.core import registry

    return registry.register(ToyStorm)


@pytest.fixture
def write_sweep(tmp_path, toy):
    """write_sweep(text=None, work_ms=0, extra="") -> path of a sweep file over the toy."""

    def make(text: str | None = None, *, work_ms: float = 0.0, extra: str = "",
             name: str = "sweep.toml") -> Path:
        (tmp_path / "base.toml").write_text(BASE.format(work_ms=work_ms), encoding="utf-8")
        p = tmp_path / name
        p.write_text(text if text is not None else SWEEP.format(extra=extra), encoding="utf-8")
        return p

    return make


@pytest.fixture(scope="module")
def client2(toy):
    """A local cluster of 2 single-threaded worker processes on loopback."""

    from twin.sweep.runner import local_client, local_cluster

    with local_cluster(2) as cluster, \
            local_client(cluster) as client:
        yield client


def tree(path: Path) -> dict[str, bytes]:
    """Every file of a store, by relative path (for bit-identity checks)."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}
