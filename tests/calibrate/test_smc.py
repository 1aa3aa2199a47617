"""ABC-SMC end to end on the toy growth model: parameters recovered from observations
simulated by `--simulate`, the same bits after a kill and --resume and on a real Dask
cluster, the store's layout, and the optuna point fit."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
import xarray as xr

from twin.calibrate import smc
from twin.calibrate.command import (
    add_parser,
    calibrate,
    parse_assignments,
    simulate_observations,
)
from twin.calibrate.spec import load_calibration
from twin.calibrate.store import open_posterior, weighted_quantile
from twin.core.errors import TwinError

TRUTH = {"toygrowth.rate_per_day": 0.08, "toygrowth.cap_t": 120.0}


def test_simulated_observations_are_recovered_inside_the_90_percent_interval(write_spec,
                                                                              tmp_path):
    spec = load_calibration(write_spec())
    obs = simulate_observations(spec, TRUTH, tmp_path / "sim.csv")
    spec = load_calibration(spec.path, observations=obs)
    out = calibrate(spec, tmp_path / "post.zarr", workers=0, quiet=True)
    ds = open_posterior(out)
    w = ds["weight"].values
    for key, truth in TRUTH.items():
        lo, hi = (weighted_quantile(ds[key].values, w, q) for q in (0.05, 0.95))
        assert lo <= truth <= hi, (key, lo, hi)
    assert ds["weight"].sum() == pytest.approx(1.0)
    assert list(ds["tolerance"].values[1:]) == sorted(ds["tolerance"].values[1:], reverse=True)
    assert set(ds["observation"].values) == {"w1", "w2", "w3", "w4", "h1"}
    assert bool(ds["held_out"].sel(observation="h1")) and bool(ds["inside_90"].all())
    assert ds.attrs["complete"] and ds["ess"].dims == ("generation",)


def test_a_killed_calibration_resumes_to_the_same_bits(write_spec, tmp_path, monkeypatch):
    spec = load_calibration(write_spec(population_abc=20, generations=3))
    whole = open_posterior(calibrate(spec, tmp_path / "a.zarr", workers=0, quiet=True))
    real, calls = smc.next_generation, []

    def dies_in_the_second(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(smc, "next_generation", dies_in_the_second)
    with pytest.raises(KeyboardInterrupt):
        calibrate(spec, tmp_path / "b.zarr", workers=0, quiet=True)
    monkeypatch.setattr(smc, "next_generation", real)
    assert open_posterior(tmp_path / "b.zarr").attrs["generation"] == 1
    resumed = open_posterior(calibrate(spec, tmp_path / "b.zarr", workers=0, quiet=True,
                                       resume=True))
    xr.testing.assert_identical(whole.drop_attrs(), resumed.drop_attrs())


def test_a_dask_cluster_gives_the_bits_of_one_process(write_spec, tmp_path):
    from twin.sweep.runner import local_client, local_cluster

    spec = load_calibration(write_spec(population_abc=16, generations=2))
    one = open_posterior(calibrate(spec, tmp_path / "one.zarr", workers=0, quiet=True))
    with local_cluster(2) as cluster, local_client(cluster) as client:
        two = open_posterior(calibrate(spec, tmp_path / "two.zarr", client=client, quiet=True))
    xr.testing.assert_identical(one.drop_attrs(), two.drop_attrs())


def test_optuna_point_fit_lands_near_the_truth(write_spec, tmp_path):
    spec = load_calibration(write_spec())
    obs = simulate_observations(spec, TRUTH, tmp_path / "sim.csv")
    spec = load_calibration(spec.path, observations=obs)
    ds = open_posterior(calibrate(spec, tmp_path / "opt.zarr", workers=0, quiet=True,
                                  method="optuna", trials=60))
    assert ds.sizes["sample"] == 1 and ds.attrs["method"] == "optuna"
    assert float(ds["toygrowth.cap_t"][0]) == pytest.approx(120, rel=0.2)
    assert float(ds["distance"][0]) < 2.0


def test_cli_simulate_and_its_errors(write_spec, tmp_path, capsys):
    spec_path = write_spec()
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers())
    args = p.parse_args(["calibrate", str(spec_path), "--simulate",
                         "toygrowth.rate_per_day=0.08", "toygrowth.cap_t=120",
                         "--out", str(tmp_path / "s.csv")])
    assert args.func(args) == 0 and (tmp_path / "s.csv").is_file()
    spec = load_calibration(spec_path)
    with pytest.raises(TwinError, match="missing: toygrowth.cap_t"):
        parse_assignments(spec, ["toygrowth.rate_per_day=0.1"])
    with pytest.raises(TwinError, match=r"outside the prior's bounds \[20, 200\]"):
        parse_assignments(spec, ["toygrowth.rate_per_day=0.1", "toygrowth.cap_t=500"])


@pytest.mark.slow
def test_coverage_of_the_90_percent_interval_over_several_truths(write_spec, tmp_path):
    """Over 10 truths drawn from the prior, each parameter's truth falls inside its 90%
    interval in at least 7 of 10 (ABC at a finite tolerance is conservative, so usually
    more)."""
    spec = load_calibration(write_spec(population_abc=60, generations=5))
    rng = np.random.default_rng(4)
    inside = []
    for k in range(10):
        truth = {p.key: p.to_value(float(p.sample(rng, 1)[0])) for p in spec.priors}
        obs = simulate_observations(spec, truth, tmp_path / f"sim{k}.csv", seed=k)
        s = load_calibration(spec.path, observations=obs)
        ds = open_posterior(calibrate(s, tmp_path / f"p{k}.zarr", workers=0, quiet=True))
        w = ds["weight"].values
        inside.append([weighted_quantile(ds[key].values, w, 0.05) <= v
                       <= weighted_quantile(ds[key].values, w, 0.95)
                       for key, v in truth.items()])
    assert (np.mean(inside, axis=0) >= 0.7).all(), inside


def test_cli_calibrates_in_this_process_and_prints_the_check(write_spec, tmp_path, capsys):
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers())
    args = p.parse_args(["calibrate", str(write_spec(population_abc=12, generations=2)),
                         "--workers", "0", "--out", str(tmp_path / "c.zarr")])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "generation 1: tolerance" in out and "h1                       held out" in out
    args = p.parse_args(["calibrate", str(tmp_path / "spec.toml"), "--workers", "0",
                         "--out", str(tmp_path / "none.zarr"), "--resume"])
    with pytest.raises(TwinError, match="nothing to resume"):
        args.func(args)


def test_failed_runs_are_rejected_particles_and_all_failing_is_one_error(write_spec, tmp_path):
    from calibrate.conftest import BASE

    spec = load_calibration(write_spec(population_abc=20, generations=2,
                                       base=BASE + "fail_above_cap_t = 150.0\n"))
    ds = open_posterior(calibrate(spec, tmp_path / "f.zarr", workers=0, quiet=True))
    assert float(ds["acceptance"][0]) < 1.0 and (ds["toygrowth.cap_t"] <= 150).all()
    spec = load_calibration(write_spec(population_abc=8, generations=2,
                                       base=BASE + "fail_above_cap_t = 1.0\n"))
    with pytest.raises(TwinError, match="every run of the first generation failed"):
        calibrate(spec, tmp_path / "g.zarr", workers=0, quiet=True)
