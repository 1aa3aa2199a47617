"""Validation against Wuhan's published figures, none of which the model was tuned to (the
households' level is calibrated on Shanghai 2018, the trucks on a 5-7 t per truck-day range).

Sources:
- Spring Festival 2010 (chinanews.com.cn, 2010-02-20, citing Wuhan's city-management bureau):
  in the 7 holiday days the city produced "nearly 6,000 t a day", 8 ordinary days' worth,
  5,490 t of it firework debris. Without the debris: (7 x 6,000 - 5,490) / 7 = 5,216 t/day
  against an ordinary day of 7 x 6,000 / 8 = 5,250 t/day: a ratio of 0.994.
- The same report: more than 1,000 collection vehicles for those 5,250 t/day, so at most
  5.25 t per vehicle-day (less if some stand idle)."""

from __future__ import annotations

import datetime as dt

import pytest

from twin.core.run import run
from twin.core.scenario import parse_scenario

SF_RATIO_WUHAN_2010 = (7 * 6000 - 5490) / 7 / (7 * 6000 / 8)  # 0.994
T_PER_VEHICLE_DAY_WUHAN_2010 = 5250 / 1000


@pytest.fixture(scope="module")
def spring_festival_2023():
    """Households and waste from 2023-01-08 to 02-12 (lunar new year: 22 January)."""
    return run(parse_scenario({
        "scenario": {"start": dt.date(2023, 1, 8), "horizon_days": 36, "seed": 11},
        "city": {"builtin": "demo"},
        "models": {"households": {"kg_per_person_day": 1.045},
                   "waste": {"plan_city": "wuhan", "vrp_iterations": 300}}}))


@pytest.mark.xfail(strict=True, reason="known gap: the households' Spring Festival effect is "
                   "an unfitted assumption (-10%; calibration/waste_generation cannot identify "
                   "it); Wuhan 2010 shows about -1% without firework debris")
def test_spring_festival_week_against_wuhan_2010(spring_festival_2023):
    gen = spring_festival_2023["generated_t"].sum("stream").to_series()
    day = gen.index.normalize()
    sf = (day >= "2023-01-21") & (day <= "2023-01-27")  # New Year's Eve to the 6th day
    normal = ((day >= "2023-01-10") & (day <= "2023-01-17")) | (
        (day >= "2023-02-01") & (day <= "2023-02-10"))  # Jan and Feb share one factor
    ratio = float(gen[sf].mean() / gen[normal].mean())
    print(f"Spring Festival / ordinary day: model {ratio:.3f}, Wuhan 2010 "
          f"{SF_RATIO_WUHAN_2010:.3f}")
    assert ratio == pytest.approx(SF_RATIO_WUHAN_2010, abs=0.04)  # +-4 points: daily noise


def test_tonnes_per_collection_vehicle_against_wuhan_2010(spring_festival_2023):
    """Per truck-day within 30% of Wuhan's 5.25 t per vehicle-day (the share of vehicles out
    on a day and the vehicle mix are not published: hence the wide tolerance)."""
    per = float(spring_festival_2023["tonnes_per_truck_day"].isel(day=slice(7, None)).mean())
    print(f"t per collection truck-day: model {per:.2f}, Wuhan 2010 <= "
          f"{T_PER_VEHICLE_DAY_WUHAN_2010:.2f}")
    assert per == pytest.approx(T_PER_VEHICLE_DAY_WUHAN_2010, rel=0.30)
