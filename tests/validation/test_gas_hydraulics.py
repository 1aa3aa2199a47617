"""Gas hydraulics against external truths: mass balance in every solved state of a run, and
pandapipes' Colebrook friction factor against the Swamee-Jain explicit formula worked by hand
(Swamee & Jain 1976; within 1% of Colebrook-White for 5e3 < Re < 1e8, 1e-6 < k/D < 1e-2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from models.gas.harness import run_gas

pytest.importorskip("pandapipes")


def test_mass_balance_in_every_solved_state():
    """Supply from the gate stations equals what customers and leaks take, every hour of a
    day with a rupture, an isolation and their restorations (tolerance 1e-9 kg/s)."""
    ev = [{"at": "06:00", "model": "gas", "kind": "leak", "segment": "main-60",
           "size": "medium", "cause": "ageing"},
          {"at": "10:00", "model": "gas", "kind": "isolate", "segment": "main-70", "hours": 3.0}]
    ds = run_gas({}, days=1, events=ev)
    ok = ds.gas_supply_failure.values == 0
    assert ok.sum() >= 20
    assert np.abs(ds.gas_mass_balance_kg_s.values[ok]).max() < 1e-9
    assert (ds.gas_supply_kg_s.values[ok] > 0).all()


def test_colebrook_friction_matches_swamee_jain_by_hand():
    """DN200 steel main (k = 0.05 mm), 1 km, 0.5 kg/s of H-gas at 3 bar: Re ~ 2.9e5."""
    import pandapipes as pp

    from twin.models.gas.hydraulics import FRICTION

    net = pp.create_empty_network(fluid="hgas")
    a = pp.create_junction(net, pn_bar=3.0, tfluid_k=288.15)
    b = pp.create_junction(net, pn_bar=3.0, tfluid_k=288.15)
    pp.create_ext_grid(net, a, p_bar=3.0, t_k=288.15)
    pp.create_pipe_from_parameters(net, a, b, length_km=1.0, inner_diameter_mm=200.0, k_mm=0.05)
    pp.create_sink(net, b, mdot_kg_per_s=0.5)
    pp.pipeflow(net, friction_model=FRICTION)
    re = float(net.res_pipe["reynolds"].iloc[0])
    lam = float(net.res_pipe["lambda"].iloc[0])
    assert 1e5 < re < 1e6
    swamee_jain = 0.25 / math.log10(0.05e-3 / (3.7 * 0.2) + 5.74 / re ** 0.9) ** 2
    assert abs(lam / swamee_jain - 1.0) < 0.01
