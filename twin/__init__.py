"""twin: a city digital-twin simulation engine (households, waste, drainage, gas, parking)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("twin")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"
