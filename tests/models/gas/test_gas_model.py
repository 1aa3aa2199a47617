"""Gas model: generated network, cut structure, runs, events, bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from models.gas.harness import register_gas, run_gas
from twin.core.errors import ScenarioError, TwinError
from twin.models.gas.cuts import cut_structure
from twin.models.gas.network import LP, MP, generate
from twin.models.gas.params import GasParams

pytest.importorskip("pandapipes")


def test_generated_network_on_roads(demo_city):
    p = GasParams()
    hh = np.bincount(demo_city.households.road_node, minlength=demo_city.roads.n_nodes)
    gn = generate(demo_city, p, hh.astype(float), np.random.default_rng(0), 2024)
    t = gn.topo
    assert len(t.gates) == 2 and (t.j_level[t.gates] == MP).all()
    assert (t.lp_junction_of_node >= 0).all()  # every road node has low-pressure gas
    assert set(np.unique(gn.level)) == {MP, LP}
    assert (gn.length_m[:gn.n_mains] > 0).all() and set(np.unique(gn.material)) <= {0, 1, 2, 3}
    mains_km = gn.length_m[:gn.n_mains].sum() / 1000
    assert 0.5 * demo_city.roads.edge_length_m.sum() / 1000 < mains_km
    cuts = cut_structure(len(t.j_node), np.r_[t.p_from, t.reg_from], np.r_[t.p_to, t.reg_to],
                         t.gates, gn.n_mains)
    assert (cuts.tin >= 0).all()  # connected to a gate
    lp_mains = np.flatnonzero(t.p_level == LP)
    assert (cuts.child[lp_mains] >= 0).all()  # LP trees: every LP main is a bridge


def test_cut_structure_small_graph():
    a, b = np.array([0, 1, 2, 3, 4, 4]), np.array([1, 2, 3, 4, 2, 5])
    c = cut_structure(6, a, b, np.array([0]), 6)
    assert [np.flatnonzero(c.downstream(k)).tolist() for k in range(6)] == \
        [[1, 2, 3, 4, 5], [2, 3, 4, 5], [], [], [], [5]]


def test_run_is_deterministic_and_isolation_cuts_downstream(demo_city):
    ev = [{"at": "10:00", "model": "gas", "kind": "isolate", "segment": "main-60", "hours": 3.0}]
    a = run_gas({}, days=1, events=ev, city=demo_city)
    b = run_gas({}, days=1, events=ev, city=demo_city)
    assert a.equals(b)
    cut = float(a.gas_customers_downstream.sel(gas_segment="main-60"))
    assert cut > 0
    assert a.gas_interrupted_customers.values[11] == cut
    assert a.gas_interrupted_customers.values[14] == 0
    assert float(a.gas_customer_hours_lost.sum()) == pytest.approx(3 * cut)


def test_grade1_leak_is_made_safe_and_counted(demo_city):
    ev = [{"at": "08:00", "model": "gas", "kind": "leak", "segment": "main-70",
           "size": "medium", "cause": "third_party"}]
    ds = run_gas({"crews": 2}, days=1, events=ev, city=demo_city)
    assert float(ds.gas_leaks.sel(gas_cause="third_party").sum()) >= 1
    assert float(ds.gas_grade1_made_safe.sum()) >= 1
    assert ds.gas_open_leaks.values[-1] == 0


def test_unknown_segment_and_district_are_refused():
    register_gas()
    from twin.core.scenario import parse_scenario

    for ev, key in (({"kind": "leak", "segment": "main-99999"}, "events[0].segment"),
                    ({"kind": "construction", "district": "Atlantis"}, "events[0].district")):
        doc = {"scenario": {"start": dt.date(2024, 1, 1), "horizon_days": 1},
               "models": {"gas": {}}, "events": [{"at": "01:00", "model": "gas", **ev}]}
        with pytest.raises(ScenarioError) as e:
            parse_scenario(doc)
        assert e.value.key == key and "allowed" in e.value.message


@pytest.mark.parametrize("key,value", [("third_party_per_km_year", -1.0),
                                       ("service_m_per_household", -3.0),
                                       ("renewal_km_per_year", -5.0)])
def test_negative_rates_and_lengths_are_refused(key, value):
    register_gas()
    from twin.core.scenario import parse_scenario

    doc = {"scenario": {"start": dt.date(2024, 1, 1), "horizon_days": 1}, "models": {"gas": {key: value}}}
    with pytest.raises(ScenarioError, match=key):
        parse_scenario(doc)


def test_network_file_connected_and_not(tmp_path):
    import pandapipes as pp

    from twin.models.gas.network_files import read_pandapipes_json

    net = pp.create_empty_network(fluid="hgas")
    j = [pp.create_junction(net, pn_bar=3.0, tfluid_k=288.15) for _ in range(4)]
    pp.create_ext_grid(net, j[0], p_bar=3.0, t_k=288.15)
    pipe = dict(length_km=0.5, inner_diameter_mm=100.0, k_mm=0.05)
    pp.create_pipe_from_parameters(net, j[0], j[1], **pipe)
    pp.create_pipe_from_parameters(net, j[1], j[2], **pipe)
    pp.create_sink(net, j[2], mdot_kg_per_s=0.001)
    ok = tmp_path / "ok.json"
    pp.to_json(net, str(ok))
    with pytest.raises(TwinError, match="not connected"):
        read_pandapipes_json(ok)  # junction 3 hangs loose
    pp.create_pipe_from_parameters(net, j[2], j[3], **pipe)
    pp.to_json(net, str(ok))
    gn, sink = read_pandapipes_json(ok)
    assert sink.sum() == pytest.approx(0.001)
    assert gn.n_mains == 3 and gn.ids[0] == "main-0"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(TwinError, match="not a pandapipes JSON"):
        read_pandapipes_json(bad)
    ds = run_gas({"network": str(ok)}, days=1)
    assert np.abs(ds.gas_mass_balance_kg_s.values).max() < 1e-9


def test_households_population_sets_who_is_piped(demo_city):
    """With the households model in the scenario, piped households come from its population
    (the `population` channel), not from the gas model's own draw."""
    from twin.core.run import run
    from twin.core.scenario import parse_scenario

    register_gas()
    doc = {"scenario": {"start": dt.date(2024, 1, 8), "horizon_days": 1},
           "models": {"households": {}, "gas": {}}}
    ds = run(parse_scenario(doc), city=demo_city)
    alone = run_gas({}, days=1, city=demo_city)
    assert float(ds.gas_lpg_households[0]) != float(alone.gas_lpg_households[0])
    assert 0 < float(ds.gas_lpg_households[0]) < len(demo_city.households)


def test_crews_respect_closed_roads(demo_city):
    """A crew's travel uses the road graph without the edges on `closed_roads`; with every
    road closed it walks in (6 h)."""
    from twin.coupling import catalogue
    from twin.models.gas.standalone import started_model

    m = started_model(demo_city)
    seg = int(np.argmax(m.gn.node != m.depots[0]))
    free = m._travel_s(seg)
    producer = catalogue()["closed_roads"].producer
    m.ctx.exchange.publish("closed_roads", frozenset(range(demo_city.roads.n_edges)),
                           producer=producer)
    assert 0 < free < m._travel_s(seg) == 6 * 3600.0


def test_programmes_renew_and_connect(demo_city):
    """Renewal removes expected incidents; LPG households get connected; a 3-h hydraulic
    stride still records every hour."""
    ds = run_gas({"hydraulics_stride_h": 3.0, "lpg_to_piped_per_year": 2000.0,
                  "renewal_services_km_per_year": 30.0}, days=3, city=demo_city)
    assert ds.sizes["hour"] == 72
    assert float(ds.gas_renewed_km.sum()) > 0 and float(ds.gas_risk_removed.sum()) > 0
    lpg = ds.gas_lpg_households.values
    assert lpg[-1] < lpg[0]


def test_unrepaired_rupture_drops_pressure_below_minimum(demo_city):
    """A rupture on a low-pressure main with no crews: its regulator's tree loses pressure,
    the customers there (more than those downstream of the main) count as interrupted, and
    the hours the solver could not feed the full outflow are supply failures, not a crash."""
    ev = [{"at": "17:30", "model": "gas", "kind": "leak", "segment": "main-60",
           "size": "rupture", "cause": "third_party"}]
    ds = run_gas({"crews": 0}, days=1, events=ev, city=demo_city)
    after = slice(18, 24)
    down = float(ds.gas_customers_downstream.sel(gas_segment="main-60"))
    assert (ds.gas_interrupted_customers.values[after] > down).all()
    assert (ds.gas_lowest_customer_bar.values[after] < 0.015).all()
    assert ds.gas_interrupted_customers.values[:17].max() == 0


def _feature(geom, coords, **props):
    return {"type": "Feature", "geometry": {"type": geom, "coordinates": coords},
            "properties": props}


def test_geojson_network(tmp_path):
    """An MP main from a gate to a regulator, two LP mains behind it, customers at the end;
    a wrong material is refused naming the feature and the column."""
    import json

    from twin.models.gas.network_files import read_geojson

    main = dict(diameter_mm=150.0, material="steel", install_year=1990)
    feats = [_feature("LineString", [[0, 0], [500, 0]], pressure="mp", **main),
             _feature("LineString", [[500, 0], [500, 300]], pressure="lp", **main),
             _feature("LineString", [[500, 300], [800, 300]], pressure="lp", **main),
             _feature("Point", [0, 0], kind="gate"),
             _feature("Point", [500, 0], kind="regulator"),
             _feature("Point", [800, 300], kind="customers", households=200)]
    f = tmp_path / "net.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    gn, hh = read_geojson(f)
    assert gn.n_mains == 3 and hh.sum() == 200 and len(gn.topo.reg_from) == 1
    ds = run_gas({"network": str(f)}, days=1)
    assert np.abs(ds.gas_mass_balance_kg_s.values).max() < 1e-9
    assert float(ds.gas_supply_kg_s.max()) > 0
    assert float(ds.gas_customers_downstream.sel(gas_segment="main-1")) == 200
    feats[1]["properties"]["material"] = "bamboo"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    with pytest.raises(TwinError, match=r"features\[1\]\.properties\.material.*allowed"):
        read_geojson(f)
