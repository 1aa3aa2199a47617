"""Fixtures for the hardening tests (issue 21): a fast scenario on the kernel's counting model
and the toy storm sweep of tests/sweep."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from sweep.conftest import client2, toy, write_sweep  # noqa: F401 - shared fixtures

SCENARIO = """
[scenario]
name = {name}
start = {start}
horizon_days = {days}
seed = 3
[city]
builtin = "small"
[models.counting]
rate_per_day = 2.0
"""


@pytest.fixture
def scenario(tmp_path, counting_model):
    """scenario(name="hard", start="2024-07-01", days=2) -> path of a counting scenario."""

    def make(name: str = "hard", *, start: str = "2024-07-01", days: float = 2,
             file: str = "s.toml") -> Path:
        p = tmp_path / file
        p.write_text(textwrap.dedent(SCENARIO.format(name=json.dumps(name), start=start, days=days)),
                     encoding="utf-8")
        return p

    return make


def tree(path: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path (to prove it was not touched)."""
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file()}
