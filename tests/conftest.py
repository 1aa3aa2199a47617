"""Shared fixtures: a small counting model registered in-process for kernel tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks import shared_dir

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]
SHARED = shared_dir()  # the lookup the benchmarks use


@pytest.fixture(scope="session")
def counting_model():
    """A tiny Poisson counting model, so kernel tests do not depend on a subsystem's rules."""
    from core.counting import CountingModel

    from twin.core import registry

    return registry.register(CountingModel)
