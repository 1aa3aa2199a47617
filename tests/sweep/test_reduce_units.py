"""A daily rate summed over the run is an amount over the run: its units say so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.sweep.runner import reduce_outputs
from twin.sweep.spec import Output


def _ds():
    day = pd.date_range("2024-01-01", periods=3, freq="D")
    hour = pd.date_range("2024-01-01", periods=4, freq="h")
    return xr.Dataset({
        "leaks": (("day",), np.array([1.0, 2.0, 3.0]), {"units": "1/day"}),
        "lost": (("day",), np.array([1.0, 1.0, 1.0]), {"units": "h/day"}),
        "flow": (("hour",), np.ones(4), {"units": "m3/s"}),
    }, coords={"day": day, "hour": hour})


def test_sum_over_the_time_base_drops_the_per_step_unit():
    out = reduce_outputs(_ds(), (Output("leaks", "leaks", (("sum", ("time",)),)),
                                 Output("lost", "lost", (("sum", None),)),
                                 Output("peak", "leaks", (("max", ("time",)),)),
                                 Output("flow", "flow", (("sum", ("time",)),))))
    assert float(out["leaks"]) == 6.0 and out["leaks"].attrs["units"] == "1"
    assert out["lost"].attrs["units"] == "h"
    assert out["peak"].attrs["units"] == "1/day"  # a max of a daily rate is still per day
    assert out["flow"].attrs["units"] == "m3/s"  # no per-hour suffix to drop: unchanged
