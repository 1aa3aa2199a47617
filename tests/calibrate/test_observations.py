"""The observations schema: every shipped table passes, and every problem of a bad table is
reported with file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.calibrate.observations import ObservationsError, load_observations, parse_observations

REPO = Path(__file__).resolve().parents[2]
HEAD = "id,city,series,period_start,period_end,value,unit,sd,uncertainty_basis,note,source\n"


@pytest.mark.parametrize("path", sorted((REPO / "calibration").glob("*/observations*.csv")))
def test_shipped_observations_pass_the_schema(path):
    rows = load_observations(path)
    assert rows and all(r.source and r.unit and r.sd > 0 and r.uncertainty_basis for r in rows)


def test_every_problem_is_named_by_file_row_and_column():
    text = HEAD + ("a,x,s,2024-01-01,2024-01-05,1,t,0.1,assumed,,src\n"
                   "a,x,s,2024-01-01,2024-01-05,1,,0.1,assumed,,src\n"
                   "b,x,s,2024-01-09,2024-01-05,1,t,0.1,assumed,,\n"
                   "c,x,s,2024-13-01,2024-01-05,one,t,,assumed,,src\n")
    with pytest.raises(ObservationsError) as e:
        parse_observations(text, "obs.csv")
    probs = e.value.problems
    assert "obs.csv:3:unit: missing; every row needs unit" in probs
    assert "obs.csv:3:id: 'a' repeats the id of line 2" in probs
    assert "obs.csv:4:source: missing; every row needs source" in probs
    assert "obs.csv:4:period_end: before period_start" in probs
    assert any(p.startswith("obs.csv:5:period_start: got '2024-13-01'") for p in probs)
    assert any(p.startswith("obs.csv:5:value: got 'one'") for p in probs)
    assert "obs.csv:5:sd: missing uncertainty: give sd, or low and high (a 90% interval)" in probs


def test_an_interval_gives_the_sd_of_a_90_percent_interval_and_columns_are_checked():
    text = HEAD.replace(",sd,", ",low,high,") + "a,x,s,2024-01-01,2024-01-05,10,t,8,12,stated,,src\n"
    (row,) = parse_observations(text)
    assert row.sd == pytest.approx(4 / 3.29, rel=1e-3)
    with pytest.raises(ObservationsError, match=r"1: missing column\(s\) source"):
        parse_observations("id,city,series,period_start,period_end,value,unit,sd,"
                           "uncertainty_basis\n")
