"""Defect 3: writing results deleted `OUT.partial` whatever it was, a user's folder included.
Temporary names are now the project's own (hidden, unique) and only ever its own."""

from __future__ import annotations

from twin.cli import main
from twin.core.paths import is_temp_name, temp_beside

from .conftest import tree


def test_a_users_partial_folder_survives_a_run(scenario, tmp_path):
    mine = tmp_path / "r.zarr.partial"
    mine.mkdir()
    (mine / "thesis.txt").write_text("four years of work")
    (tmp_path / "r.zarr.tmp").write_text("mine too")
    before = tree(tmp_path)
    assert main(["run", str(scenario()), "--out", str(tmp_path / "r.zarr"), "--quiet"]) == 0
    assert main(["run", str(scenario()), "--out", str(tmp_path / "r.zarr"), "--quiet",
                 "--overwrite"]) == 0
    after = tree(tmp_path)
    for name, data in before.items():
        assert after[name] == data, f"{name} was changed"


def test_temporary_names_are_hidden_unique_and_recognisable(tmp_path):
    a, b = temp_beside(tmp_path / "x.zarr"), temp_beside(tmp_path / "x.zarr")
    assert a != b and a.parent == tmp_path and a.name.startswith(".x.zarr.twin-tmp-")
    assert is_temp_name(a.name) and not is_temp_name("x.zarr.partial")
