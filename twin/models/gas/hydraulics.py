"""Steady-state pressures and flows with pandapipes (imported lazily: runs without gas never
pay for it). One net is built per run; a solve only writes the sink, leak and in-service
columns and calls `pipeflow` with `friction_model="colebrook"` pinned (the default Nikuradse
model gives about 18% less pressure drop, shared NOTES.md). A solve that does not converge is
returned as a supply failure, never raised."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from twin.models.gas.network import LP, ROUGHNESS_MM, GasNetwork

FRICTION = "colebrook"
T_K = 288.15


@dataclass
class State:
    """One solved state: pressure per junction (NaN: no gas), supply and delivery."""

    converged: bool
    p_bar: np.ndarray
    supply_kg_s: float  # from the gate stations
    delivered_kg_s: float  # to customers and leaks that have gas
    demand_kg_s: float  # asked for by customers and leaks

    @property
    def balance_kg_s(self) -> float:
        return self.supply_kg_s - self.delivered_kg_s


def build_net(gn: GasNetwork, mp_bar: float, lp_bar: float):
    """The pandapipes net of a gas network: junctions, mains, district regulators (pressure
    controls), gate stations (external grids), one customer and one leak sink per junction."""
    import pandapipes as pp

    t = gn.topo
    net = pp.create_empty_network(fluid="hgas")
    nj = len(t.j_node)
    pn = np.where(t.j_level == LP, lp_bar, mp_bar)
    pp.create_junctions(net, nj, pn_bar=pn, tfluid_k=T_K)
    k = np.asarray(ROUGHNESS_MM)[gn.material[:gn.n_mains]]
    pp.create_pipes_from_parameters(net, t.p_from, t.p_to, length_km=t.p_length_m / 1000.0,
                                    inner_diameter_mm=gn.diameter_mm, k_mm=k)
    if len(t.reg_from):
        pp.create_pressure_controls(net, t.reg_from, t.reg_to, t.reg_to,
                                    controlled_p_bar=np.full(len(t.reg_to), lp_bar))
    pp.create_ext_grids(net, t.gates, p_bar=np.full(len(t.gates), mp_bar),
                        t_k=np.full(len(t.gates), T_K))
    pp.create_sinks(net, np.arange(nj), mdot_kg_per_s=np.zeros(nj))  # customers
    pp.create_sinks(net, np.arange(nj), mdot_kg_per_s=np.zeros(nj))  # leaks
    return net


def solve(net, customer_kg_s: np.ndarray, leak_kg_s: np.ndarray,
          pipe_in_service: np.ndarray) -> State:
    """Write demands and open mains into the net, run pipeflow, read the state back."""
    import pandapipes as pp
    from pandapipes.pf.pipeflow_setup import PipeflowNotConverged

    nj = len(customer_kg_s)
    net.sink["mdot_kg_per_s"] = np.r_[customer_kg_s, leak_kg_s]
    net.pipe["in_service"] = pipe_in_service
    demand = float(customer_kg_s.sum() + leak_kg_s.sum())
    try:
        with warnings.catch_warnings():
            # a leak larger than the network can feed drives its junction below 0 bar: the
            # customers there count as interrupted (p < minimum), no warning needed
            warnings.filterwarnings("ignore", "Pipeflow converged, however", UserWarning)
            pp.pipeflow(net, friction_model=FRICTION)
    except (PipeflowNotConverged, ValueError, np.linalg.LinAlgError):
        return State(False, np.full(nj, np.nan), 0.0, 0.0, demand)
    p = net.res_junction["p_bar"].to_numpy()
    supply = -float(np.nansum(net.res_ext_grid["mdot_kg_per_s"].to_numpy()))
    got = net.res_sink["mdot_kg_per_s"].to_numpy()
    return State(True, p, supply, float(np.nansum(got)), demand)
