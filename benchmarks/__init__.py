"""Ratio benchmarks, one module per subject: `python -m benchmarks NAME --json`.

Each module exposes `run(quick: bool = False) -> list[dict]` of rows
`{"benchmark", "figure", "value", "unit"}`; speed claims are ratios measured in the same
process run, with absolute times reported beside them.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Debian's chromium, headless, with nothing reaching for the (closed) network
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def shared_dir() -> Path:
    """The project's shared folder (SWMM networks and reference results): $TWIN_SHARED, else
    the nearest `shared/` holding `data/` beside the checkout or above it."""
    if os.environ.get("TWIN_SHARED"):
        return Path(os.environ["TWIN_SHARED"])
    for up in ROOT.parents:
        if (up / "shared" / "data").is_dir():
            return up / "shared"
    return ROOT.parent / "shared"
