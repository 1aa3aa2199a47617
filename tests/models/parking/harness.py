"""The parking model run alone (moved to twin.models.parking.standalone for the benchmark)."""

from twin.models.parking.standalone import STUB_CHANNELS, run_parking, run_parking_timed

__all__ = ["STUB_CHANNELS", "run_parking", "run_parking_timed"]
