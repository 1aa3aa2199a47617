"""The shipped GeoJSON network: read with its stated columns, mapped to the demo city's roads
(districts and crew travel), and refusals naming the file, the feature and the column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.gas.harness import run_gas
from twin.core.errors import TwinError
from twin.models.gas.network_files import read_geojson, road_nodes

pytest.importorskip("pandapipes")
EXAMPLE = Path(__file__).resolve().parents[3] / "scenarios/gas/network_example.geojson"


def test_shipped_example_runs_on_the_city_roads(demo_city):
    gn, hh = read_geojson(EXAMPLE)
    assert gn.n_mains == 13 and hh.sum() > 0 and len(gn.topo.gates) == 1
    nodes = road_nodes(gn, demo_city.roads, EXAMPLE)
    d = np.hypot(demo_city.roads.node_x[nodes] - gn.j_xy[:, 0],
                 demo_city.roads.node_y[nodes] - gn.j_xy[:, 1])
    assert d.max() < 1.0  # drawn on the road nodes
    ev = [{"at": "10:00", "model": "gas", "kind": "leak", "segment": "main-4",
           "size": "rupture", "cause": "third_party"}]
    ds = run_gas({"network": str(EXAMPLE)}, days=1, events=ev, city=demo_city)
    assert np.abs(ds.gas_mass_balance_kg_s.values).max() < 1e-9
    assert float(ds.gas_customer_hours_lost.sum()) > 0
    assert float(ds.gas_grade1_made_safe.sum()) == 1
    assert np.abs(ds.gas_segment_x_m.values).max() > 0  # mapped, not at the origin


def _write(tmp_path, feats) -> Path:
    f = tmp_path / "net.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return f


def test_bad_files_name_feature_and_column(tmp_path, demo_city):
    feats = json.loads(EXAMPLE.read_text())["features"]
    bad = [dict(f, properties=dict(f["properties"])) for f in feats]
    bad[2]["properties"]["pressure_class"] = "high"
    with pytest.raises(TwinError, match=r"features\[2\]\.properties\.pressure_class.*'mp'"):
        read_geojson(_write(tmp_path, bad))
    bad = [dict(f, properties=dict(f["properties"])) for f in feats]
    del bad[5]["properties"]["install_year"]
    with pytest.raises(TwinError, match=r"features\[5\]\.properties\.install_year"):
        read_geojson(_write(tmp_path, bad))
    # a main whose far end floats 5 km off: not connected
    lone = {"type": "Feature", "geometry": {"type": "LineString",
                                            "coordinates": [[5000, 5000], [5100, 5000]]},
            "properties": {"pressure_class": "lp", "diameter_mm": 90, "material": "pe",
                           "install_year": 2010}}
    with pytest.raises(TwinError, match="not connected"):
        read_geojson(_write(tmp_path, [*feats, lone]))
    # connected, but off the city's roads: refused when mapped, naming the feature
    shifted = json.loads(json.dumps(feats))
    for f in shifted:
        c = f["geometry"]["coordinates"]
        for p in (c if f["geometry"]["type"] == "LineString" else [c]):
            p[0] += 9000.0
    path = _write(tmp_path, shifted)
    gn, _ = read_geojson(path)
    with pytest.raises(TwinError, match=r"features\[0\]\.geometry\.coordinates.*nearest road"):
        road_nodes(gn, demo_city.roads, path)
