"""The Shanghai-mandate scenario against Shanghai's published wet-waste and residual series.

`scenarios/sorting_adoption/shanghai_mandate.toml` runs the demo city (about 52,000 people)
from 1 Jul 2018 to the end of 2020. Its food-container tonnes (wet waste: captured food plus
impurities) and residual-container tonnes, times 24,870,895 / the city's population, are
compared with `calibration/sorting/observations.csv` (one source per row):

    wet waste      end-2018 4,000 | May 2019 5,660 | end-Aug 2019 9,200 | 2020 mean 9,504 t/d

within 10% each. Parameters (all checked below against the scenario file) and where they
come from:

    kg_per_person_day 1.045       26,000 t/d collected in 2018 (China Dialogue, Jul 2019) /
                                  24.87 M residents (7th census, 2020)
    composition food 0.55         food is 50-70% of Chinese urban household waste (Xu et al.,
                                  Energies 14 (2021) 7658)
    food_capture 0.84             Shanghai captures about 84% of household food waste
    food_purity_supervised 0.995  Shanghai: 99.5% purity at supervised fixed-time points
    campaign_start 2019-02-01     the Regulations were adopted on 31 Jan 2019
    mandate_start 2019-07-01      the Regulations took effect on 1 Jul 2019
    fine_cny 200                  individuals: up to 200 CNY (Regulations, Xinhua 2019-07-05)
    supervised_point_share 0.9    assumption: most drop-off points had volunteers at fixed
                                  times in 2019 (about 21,000 points upgraded by Sep 2019,
                                  Shanghai bureau via China Development Brief)
    innovation 0.0047/month       the project's Bass yardstick (p)

and four set to their posterior means from the ABC-SMC calibration of calibration/sorting
(spec.toml, posterior.zarr; fitted on the Shanghai wet-waste rows, so the test only confirms
them): initial_participation 0.274, campaign_intensity_per_month 0.049,
fine_response_per_cny_month 0.0143, potential_share 0.797, with imitation 0.05/month (weak
neighbour influence: the ramp follows the policy dates, not a diffusion of its own).

What the calibration did not use, and is therefore a check: residual (dry) waste at end-2018
(20,950 t/d) and as the 2020 mean (14,194 t/d), residual May 2020 (15,351 t/d), and wet
waste at end-Sep 2019 (9,009 t/d) and in May 2020 (9,796 t/d); 10% each. Rows left out and
why are listed in calibration/sorting/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from twin.city import open_city
from twin.core.run import run
from twin.core.scenario import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios/sorting_adoption/shanghai_mandate.toml"
OBSERVED = REPO / "calibration/sorting/observations.csv"
TOL = 0.10

DOCUMENTED = {
    "kg_per_person_day": 1.045, "food_capture": 0.84, "food_purity_supervised": 0.995,
    "campaign_start": dt.date(2019, 2, 1), "mandate_start": dt.date(2019, 7, 1),
    "fine_cny": 200.0, "supervised_point_share": 0.9, "innovation_per_month": 0.0047,
    "initial_participation": 0.274, "campaign_intensity_per_month": 0.049,
    "fine_response_per_cny_month": 0.0143, "potential_share": 0.797,
    "imitation_per_month": 0.05,
}
CALIBRATED_ON = [("wet_waste", "2018-12-01"), ("wet_waste", "2019-05-01"),
                 ("wet_waste", "2019-08-25"), ("wet_waste", "2020-01-01")]
CHECKED = [("residual_waste", "2018-12-01"), ("residual_waste", "2020-01-01"),
           ("residual_waste", "2020-05-01"), ("wet_waste", "2019-09-24"),
           ("wet_waste", "2020-05-01")]


def observations() -> dict[tuple[str, str], dict]:
    with OBSERVED.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["city"] == "shanghai"]
    assert all(r["source"].strip() for r in rows)
    return {(r["series"], r["period_start"]): r for r in rows}


@pytest.fixture(scope="module")
def scaled():
    """Daily city totals (t/d) scaled to Shanghai: wet = food containers, residual = residual
    containers (everything generated that is not in a separate container)."""
    sc = load_scenario(SCENARIO)
    city = open_city(sc.city)
    ds = run(sc, city=city)
    pop = float(observations()[("population", "2020-11-01")]["value"])
    k = pop / city.population
    sorted_ = ds["waste_sorted"].sum("district")
    return {"wet_waste": sorted_.sel(stream="food") * k,
            "residual_waste": (ds["waste_generated"].sum(("district", "stream"))
                               - sorted_.sum("stream")) * k}


def test_scenario_uses_the_documented_parameters():
    p = load_scenario(SCENARIO).models["households"]
    for name, value in DOCUMENTED.items():
        assert getattr(p, name) == value, name
    assert p.composition[0] == 0.55


def compare(scaled, keys):
    obs = observations()
    lines, worst = [], 0.0
    for series, start in keys:
        row = obs[(series, start)]
        model = float(scaled[series].sel(day=slice(row["period_start"],
                                                    row["period_end"])).mean())
        err = model / float(row["value"]) - 1.0
        worst = max(worst, abs(err))
        lines.append(f"{series:15s} {row['period_start']}..{row['period_end']}: model "
                     f"{model:7.0f}, observed {float(row['value']):7.0f} t/d ({err:+.1%})")
    print("\n" + "\n".join(lines))
    return worst, lines


def test_wet_waste_series_within_10_percent(scaled):
    worst, lines = compare(scaled, CALIBRATED_ON)
    assert worst <= TOL, "\n".join(lines)


def test_series_not_used_in_the_calibration_within_10_percent(scaled):
    worst, lines = compare(scaled, CHECKED)
    assert worst <= TOL, "\n".join(lines)
