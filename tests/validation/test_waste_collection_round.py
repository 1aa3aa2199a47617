"""A stationary-container collection round against the textbook closed form (Tchobanoglous,
Theisen & Vigil, Integrated Solid Waste Management, 1993, ch. 8, "stationary container
systems"), with every time deterministic:

    containers per trip   Ct   = v r / (c f)
    pick-up time per trip Pscs = Ct uc + (np - 1) dbc
    time per trip         Tscs = Pscs + s + h          (h = haul to and from the site)
    trips per week        Nw   = Vw / (v r)

v truck body (m3), r compaction ratio, c container volume (m3), f container fill, uc time to
empty one container, dbc drive between container locations, s time at the unloading site,
Vw weekly volume of loose waste. The truck runs the model's own round process (`Collector`)
against the model's containers and station on SimPy, day after day for a week.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import simpy

from twin.models.waste.kernel import SimpyKernel
from twin.models.waste.kpis import Ledger
from twin.models.waste.params import RESIDUAL, STREAMS, WasteParams
from twin.models.waste.points import Containers
from twin.models.waste.stations import Station
from twin.models.waste.trucks import Collector, Round, attach_legs

# the textbook inputs
V_M3, R, C_M3, F = 5.0, 2.0, 1.0, 0.5  # truck body, compaction, container, fill
DENSITY = 0.25  # t/m3 loose (binary-exact figures keep the arithmetic exact)
UC_S = 120.0  # empty one container: 60 s fixed + 480 s/t x 0.125 t
DBC_S = 90.0  # drive between container locations
HAUL_ONE_WAY_S = 600.0  # h = 2 x 600 s
WEIGH_S, TIP_S = 120.0, 300.0  # s = 420 s at the station
N_CONTAINERS = 60  # one round a day, every container filled to f each day


class _Ones:
    """A stand-in generator whose 'exponential' draws are all 1 (deterministic times)."""

    @staticmethod
    def standard_exponential(n):
        return np.ones(n)


def test_round_matches_closed_form():
    ct = V_M3 * R / (C_M3 * F)  # 20 containers per trip
    pscs = ct * UC_S + (ct - 1) * DBC_S
    tscs = pscs + (WEIGH_S + TIP_S) + 2 * HAUL_ONE_WAY_S
    vw = 7 * N_CONTAINERS * C_M3 * F  # m3 of loose waste a week
    nw = vw / (V_M3 * R)
    assert (ct, pscs, tscs, nw) == (20.0, 4110.0, 5730.0, 21.0)

    p = dataclasses.replace(WasteParams(), morning_share=1.0, missed_time_share=0.0,
                            container_m3=(1.0,) * 4, bin_density_t_per_m3=(DENSITY,) * 4)
    k = SimpyKernel(simpy.Environment())
    cont = Containers(N_CONTAINERS, p, np.ones(N_CONTAINERS, bool))
    ledger = Ledger()
    station = Station(k, "TS", bridges=1, bays=1, weigh_s=WEIGH_S, tip_s=TIP_S,
                      deliver=lambda s, t: ledger.move("trucks", None, t))
    cap_t = V_M3 * R * DENSITY  # the truck's payload in tonnes of compacted waste
    col = Collector(k, cont, [station], capacity_t=[cap_t] * len(STREAMS),
                    fixed_s=[60.0] * 4, per_t_s=[480.0] * 4, ledger=ledger, rng=_Ones())
    n = N_CONTAINERS
    rnd = Round(RESIDUAL, 0, np.arange(n), np.zeros(n, bool), 9 * 3600.0)  # trips: when full
    attach_legs(rnd, [DBC_S] * n, [500.0] * n, [HAUL_ONE_WAY_S] * n, [5000.0] * n,
                [HAUL_ONE_WAY_S] * n, [5000.0] * n)
    per_day = np.zeros((n, len(STREAMS)))
    per_day[:, RESIDUAL] = C_M3 * F * DENSITY  # each container filled to f by 08:30
    trips, hours, per_trip = [], [], []
    for day in range(7):
        t0 = day * 86_400.0
        if t0 > k.now:
            k.run(until=t0)
        cont.new_day(t0, per_day)
        col.start(rnd, t0)
        k.run(until=t0 + 86_399.0)
        st = col.pop_day()[RESIDUAL]
        trips.append(st.unload_trips)
        hours.append(st.hours)
        per_trip.append(sum(ledger.collected) / (C_M3 * F * DENSITY) / st.unload_trips)
        ledger.collected[:] = [0.0] * len(STREAMS)
    print(f"Ct {ct:.0f}, Pscs {pscs:.0f} s, Tscs {tscs:.0f} s, Nw {nw:.0f}; simulated: "
          f"{per_trip[0]:.3f} containers/trip, {hours[0] * 3600 / trips[0]:.3f} s/trip, "
          f"{sum(trips)} trips/week")
    assert per_trip == [pytest.approx(ct, abs=1e-9)] * 7
    assert [h * 3600.0 / t for h, t in zip(hours, trips, strict=True)] == \
        [pytest.approx(tscs, abs=1e-6)] * 7
    assert sum(trips) == nw
    assert cont.content_t(7 * 86_400.0) == pytest.approx(0.0, abs=1e-12)
