"""Defect 4: with no --out the scenario name became a path: `../x` or an absolute name wrote
outside results/, a newline ran the whole scenario and then failed, a NUL gave a traceback.
One rule now (twin.core.paths.store_name), checked before anything runs."""

from __future__ import annotations

import pytest

from twin.cli import main
from twin.core.errors import TwinError
from twin.core.paths import store_name


@pytest.mark.parametrize("name", ["../x", "../../etc/cron.d/x", "/abs/x", "a/b", "a\\b",
                                  "..", "line\nbreak", "nul\x00byte", "tab\tname", "   ",
                                  "", "%%%"])
def test_path_like_or_control_names_are_refused_before_the_run(name, scenario, tmp_path,
                                                               capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = []
    import twin.core.run as R

    monkeypatch.setattr(R, "run", lambda *a, **k: ran.append(1))
    assert main(["run", str(scenario(name)), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("twin: error: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not ran, "the scenario ran although its results could not be stored"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


@pytest.mark.parametrize(("name", "stem"), [("storm drill", "storm_drill"),
                                            ("暴雨 2024", "2024"), ("a.b-c_d", "a_b-c_d"),
                                            ("x" * 300, "x" * 120)])
def test_other_names_become_a_slug(name, stem):
    assert store_name(name) == stem


def test_a_default_store_is_a_direct_child_of_results(scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(scenario("storm drill")), "--quiet"]) == 0
    assert (tmp_path / "results" / "storm_drill.zarr" / "zarr.json").is_file()


def test_the_rule_is_one_function():
    with pytest.raises(TwinError, match="is a path"):
        store_name("../x")
