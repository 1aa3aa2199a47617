"""Write `gauges.csv`: the drainage calibration's row design (which manhole, which 10-minute
window, which storm) with each row's gauge noise, and its depth without noise at the truth.

    .venv/bin/python calibration/drainage/gauges.py [--print-rows]

The truth is the parameter set `simulated.csv` is drawn at (README.md). Each row's sd is
the gauge noise model: 0.02 m plus 5% of the depth in that window (basis in GAUGE_NOISE).
`twin calibrate spec.toml --observations gauges.csv --simulate ...` then adds that noise.
With --print-rows it prints the [rows] table of spec.toml instead.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TRUTH = {"imperviousness_scale": 1.1, "roughness_scale": 1.5, "depression_storage_mm": 2.0}
FIT_NODES = ("J37", "J16", "J50", "J70")
HELD_OUT_NODES = ("J37", "J50")  # on the 5-year storm
WINDOW_MIN = 10
N_WINDOWS = 18  # 00:00-03:00: the 2-hour storm and the first hour of recession
SD_FIXED_M, SD_REL = 0.02, 0.05
GAUGE_NOISE = (
    "gauge noise, assumed: sd = 0.02 m + 5% of the depth. 0.02 m: level sensors quoted at "
    "1.0% accuracy (NAVFAC MO-221, ch. 10 level measurement) on a 3.35 m pressure-depth "
    "range (ADS 3600 flow monitor manual, pressure depth sensor), read as a 90% bound "
    "(3.35 cm / 1.645); 5%: deviations of up to +/-5% seen in sewer level and flow "
    "measurement even after recalibration (Steinhardt, measurement technology notes), "
    "for the sensor's position in the manhole and fouling")
SOURCE = ("synthetic: twin drainage model (SWMM) on the demo city's generated network at "
          "imperviousness_scale=1.1, roughness_scale=1.5, depression_storage_mm=2 "
          "(calibration/drainage/gauges.py); no public gauge record is available offline")
START = dt.datetime(2024, 7, 1)


def design() -> list[tuple[str, str, str, dt.datetime, dt.datetime, bool]]:
    """(id, place, node, start, end, held out) of every row."""
    out = []
    for place, nodes, held in (("demo", FIT_NODES, False), ("demo_5y", HELD_OUT_NODES, True)):
        for node in nodes:
            for k in range(N_WINDOWS):
                t0 = START + dt.timedelta(minutes=WINDOW_MIN * k)
                t1 = t0 + dt.timedelta(minutes=WINDOW_MIN)
                rid = f"{'y5_' if held else ''}{node}_{t1:%H%M}"
                # the strides ending in (t0, t1]: from t0 + 1 s to t1, both inclusive
                out.append((rid, place, node, t0 + dt.timedelta(seconds=1), t1, held))
    return out


def print_rows() -> None:
    rows = design()
    for role, held in (("fit", False), ("held_out", True)):
        ids = [r[0] for r in rows if r[5] == held]
        print(f"{role} = [")
        for i in range(0, len(ids), 6):
            print("    " + ", ".join(f'"{x}"' for x in ids[i:i + 6]) + ",")
        print("]")


def main() -> None:
    from twin.calibrate.observations import Observation, write_observations
    from twin.calibrate.simulate import RowCalc, predict
    from twin.city.io import open_city
    from twin.core.run import run
    from twin.core.scenario import load_scenario

    rows = design()
    out = []
    for place, base in (("demo", "base.toml"), ("demo_5y", "base_5y.toml")):
        sc = load_scenario(HERE / base).with_params("drainage", **TRUTH)
        city = open_city(sc.city)
        ds = run(sc, root_seed=19, city=city)
        mine = [r for r in rows if r[1] == place]
        calcs = tuple(RowCalc("node_depth", (("node", r[2]),), (), (), "mean",
                              np.datetime64(r[3]), np.datetime64(r[4]), None) for r in mine)
        depth = predict(ds, calcs, float(city.population))
        for r, d in zip(mine, depth, strict=True):
            storm = "5-year" if r[5] else "2-year"
            out.append(Observation(
                r[0], r[1], f"depth_{r[2]}", r[3], r[4], float(d), "m",
                SD_FIXED_M + SD_REL * float(d), GAUGE_NOISE, SOURCE,
                f"manhole {r[2]}, mean depth above the invert over the 10 min to "
                f"{r[4]:%H:%M}, {storm} 120-min Chicago storm; value = noise-free depth at "
                "the truth (simulated.csv adds the noise)"))
    path = write_observations(out, HERE / "gauges.csv")
    print(f"{path}: {len(out)} rows")


if __name__ == "__main__":
    print_rows() if "--print-rows" in sys.argv else main()
