"""Errors a user can cause get one clear line each; everything else is a bug and keeps its traceback."""

from __future__ import annotations

from pathlib import Path


class TwinError(Exception):
    """A problem the user can fix (bad input, missing file, unreachable service)."""


class ScenarioError(TwinError):
    """A scenario, sweep or city file is invalid; names the file, the key and what is allowed."""

    def __init__(self, path: str | Path | None, key: str | None, message: str):
        self.path, self.key, self.message = path, key, message
        where = ": ".join(str(p) for p in (path, key) if p)
        super().__init__(f"{where}: {message}" if where else message)


class EngineError(TwinError):
    """An external engine (SWMM, a solver) failed or died for one run."""
