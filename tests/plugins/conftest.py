"""Installs the test plugin `tramco` the way pip would: a `.dist-info` folder with its entry
points on sys.path, so twin finds it through importlib.metadata, not through a test hook."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from twin.core import registry

HERE = Path(__file__).parent


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Register entry points: {group: {name: "module:attr"}}; undone after the test."""

    def install(groups: dict[str, dict[str, str]]) -> None:
        info = tmp_path / "tramco-0.1.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tramco\nVersion: 0.1\n")
        text = "".join(f"[{g}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n"
                       for g, eps in groups.items())
        (info / "entry_points.txt").write_text(text)
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.syspath_prepend(str(HERE))
        registry._entry_points.cache_clear()

    yield install
    sys.modules.pop("tramco", None)
    registry._entry_points.cache_clear()
