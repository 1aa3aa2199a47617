"""Errors a user can cause get one clear line each; everything else is a bug and keeps its traceback."""

from __future__ import annotations

from pathlib import Path


class TwinError(Exception):
    """A problem the user can fix (bad input, missing file, unreachable service)."""


class ScenarioError(TwinError):
    """A scenario, sweep or city file is invalid; names the file, the key and what is allowed."""

    def __init__(self, path: str | Path | None, key: str | None, message: str):
        # args stay (path, key, message) so SimPy and pickling can rebuild the error
        super().__init__(path, key, message)
        self.path, self.key, self.message = path, key, message

    def __str__(self) -> str:
        where = ": ".join(str(p) for p in (self.path, self.key) if p)
        return f"{where}: {self.message}" if where else self.message


class EngineError(TwinError):
    """An external engine (SWMM, a solver) failed or died for one run."""
