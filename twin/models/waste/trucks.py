"""Collection trucks: one process per truck round.

A round follows its planned stops and planned unloading trips (fixed rounds, as cities run
them). Loads are what the containers actually hold when the truck arrives, so on a heavy day
a truck fills up before its planned trip end: it then drives to its station, unloads and comes
back to the same point (the textbook stationary-container cycle). A stop takes drive + fixed
stop time + loading time proportional to the volume in the bins; the stops of a trip are
computed by lookahead (see `Collector.run_round`), the station visits are kernel events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DAY_S = 86_400.0


@dataclass
class Round:
    """One truck's round for one stream: stops in order, planned trip ends, start time."""

    stream: int
    depot: int  # index of the gate (station) it starts from, unloads at and returns to
    stops: np.ndarray  # collection point indices in visiting order
    trip_end: np.ndarray  # bool per stop: planned unloading trip after this stop
    start_tod_s: float  # time of day it leaves the depot
    # travel legs, filled by `attach_legs`: from the previous stop, and depot <-> stop
    leg_s: list = field(default_factory=list)
    leg_m: list = field(default_factory=list)
    to_s: list = field(default_factory=list)
    to_m: list = field(default_factory=list)
    from_s: list = field(default_factory=list)
    from_m: list = field(default_factory=list)


@dataclass
class RoundStats:
    """What one stream's trucks did (summed over rounds), reset daily."""

    rounds: int = 0
    stops: int = 0  # stop events (truck arrivals at points)
    km: float = 0.0
    hours: float = 0.0
    stop_hours: float = 0.0
    unload_trips: int = 0
    loads_t: float = 0.0
    missed: int = 0  # stops passed by because the point's street was under water


class Collector:
    """Runs truck rounds on a kernel (SimPy or heapq) against containers and gates."""

    def __init__(self, k, containers, gates, *, capacity_t, fixed_s, per_t_s, ledger, rng,
                 sync: bool = False):
        self.k = k
        self.sync = sync  # yield at every stop, so legs changed mid-day (closures) take effect
        self.flooded = [False] * containers.n  # points a truck cannot load at (water)
        self.rng = rng
        self.containers = containers
        self.gates = gates
        self.capacity_t = list(capacity_t)
        self.fixed_s = list(fixed_s)
        self.per_t_s = list(per_t_s)
        self.ledger = ledger
        self.stats = [RoundStats() for _ in capacity_t]

    def start(self, rnd: Round, day_start_s: float) -> None:
        """Schedule a round to leave at its start time on the day beginning at day_start_s."""
        self.k.process(self.run_round(rnd, day_start_s + rnd.start_tod_s))

    def start_all(self, rounds, day_start_s: float) -> None:
        """Schedule many rounds: one starter per departure time wakes at that time and starts
        its rounds' processes (in the given order), instead of every round waiting itself
        (one kernel event less per round; rounds draw their own service times, so the day
        is the same)."""
        groups: dict[float, list] = {}
        for rnd in rounds:  # draws in the given order, as if each round started now
            groups.setdefault(day_start_s + rnd.start_tod_s, []).append(
                (rnd, self.draws_for(rnd)))
        for leave_s, group in groups.items():
            self.k.process(self._starter(group, leave_s))

    def _starter(self, group: list, leave_s: float):
        if leave_s > self.k.clock.now:
            yield self.k.timeout(leave_s - self.k.clock.now)
        for rnd, draw in group:
            self.k.process(self.run_round(rnd, leave_s, draw))

    def run_round(self, rnd: Round, leave_s: float, draw=None):
        """The truck's process (a generator for either kernel).

        Stops are handled by lookahead: the points of a round are served by no other truck
        of its stream and fill along a closed form, so nothing else can change what the truck
        finds before it reaches its station. The stops of a trip are therefore computed in a
        plain loop at their own arrival times and the process yields once per drive to the
        gate (and at midnight, when the next day's deliveries must be loaded first). The
        results are those of one event per stop; `stops_done` counts the stop events.
        With `sync` (roads may close during the day) the truck yields at every stop instead,
        so travel legs re-routed around closed roads apply from the next stop on."""
        k = self.k
        timeout = k.timeout
        s = rnd.stream
        gate = self.gates[rnd.depot]
        draw = draw or self.draws_for(rnd)
        cont = self.containers
        # container state of this stream, read and written in place at every stop (inlined
        # `Containers.take`: the stop loop is the hot path of the whole model)
        carry, today, last = cont.carry[s], cont.today[s], cont.last[s]
        flagged, cap_pt, overflow = cont.flagged[s], cont.cap_t[s], cont.overflow
        share = cont.share
        lin_lo, lin_hi, lin_f0, lin_r = share.linear
        coll = self.ledger.collected  # per-stream list, updated in place
        cap, fixed, per_t = self.capacity_t[s], self.fixed_s[s], self.per_t_s[s]
        full = cap * (1.0 - 1e-9)  # a full truck goes to unload at once
        stops, trip_end = rnd.stops_list, rnd.trip_end_list
        leg_s, leg_m, to_s, to_m = rnd.leg_s, rnd.leg_m, rnd.to_s, rnd.to_m
        from_s, from_m = rnd.from_s, rnd.from_m
        clock = k.clock
        if leave_s > clock.now:
            yield timeout(leave_s - clock.now)
        t_begin = clock.now
        load = km = stop_s = 0.0
        ahead = 0.0  # simulated time computed but not yet yielded
        base = clock.now - cont.day_start_s  # time of day at the last yield
        unloads = 0
        at_depot = True
        last_i = len(stops) - 1
        sync, flooded = self.sync, self.flooded
        missed = 0
        for i, p in enumerate(stops):
            if at_depot:
                drive, dm = from_s[i], from_m[i]
                at_depot = False
            else:
                drive, dm = leg_s[i], leg_m[i]
            if flooded[p]:  # street under water: drive on, the point waits for a later round
                km += dm
                ahead += drive
                missed += 1
                continue
            while True:
                km += dm
                tod = base + ahead + drive
                if tod >= DAY_S:  # arrives after midnight: let the new day load first
                    yield timeout(ahead + drive)
                    ahead = drive = 0.0
                    tod = base = clock.now - cont.day_start_s
                f = lin_f0 + lin_r * tod if lin_lo <= tod <= lin_hi else share(tod)
                amount = carry[p] + today[p] * (f - last[p])
                last[p] = f
                if flagged[p]:  # its overflow was counted at midnight
                    flagged[p] = False
                elif amount > cap_pt[p]:
                    overflow[p] += 1
                space = cap - load
                if amount <= space:
                    carry[p] = 0.0
                    svc = fixed + per_t * amount
                    load += amount
                    coll[s] += amount
                    stop_s += svc
                    ahead += drive + svc
                    if sync:
                        yield timeout(ahead)
                        ahead = 0.0
                        base = clock.now - cont.day_start_s
                    break
                # full here: load what fits, leave the rest, unload, come back
                carry[p] = amount - space
                svc = fixed + per_t * space
                coll[s] += space
                stop_s += svc
                km += to_m[i]
                yield timeout(ahead + drive + svc + to_s[i])
                ahead = 0.0
                yield from gate.unload(s, cap, draw)
                base = clock.now - cont.day_start_s
                unloads += 1
                load = 0.0
                drive, dm = from_s[i], from_m[i]
            if (trip_end[i] or load >= full) and i < last_i and load > 0.0:
                km += to_m[i]
                yield timeout(ahead + to_s[i])
                ahead = 0.0
                yield from gate.unload(s, load, draw)
                base = clock.now - cont.day_start_s
                unloads += 1
                load = 0.0
                at_depot = True
        if not at_depot:
            km += to_m[last_i]
            ahead += to_s[last_i]
        if ahead > 0.0:
            yield timeout(ahead)
        if load > 0.0:
            yield from gate.unload(s, load, draw)
            unloads += 1
        st = self.stats[s]
        st.rounds += 1
        st.stops += len(stops)
        st.km += km
        st.hours += (clock.now - t_begin) / 3600.0
        st.stop_hours += stop_s / 3600.0
        st.unload_trips += unloads
        st.missed += missed

    def draws_for(self, rnd: Round):
        """Service-time draws of one truck's round (unit exponentials). Each round draws its
        own block when it starts, so results do not depend on how simultaneous events are
        ordered (SimPy and the heapq loop then give identical days)."""
        block = self.rng.standard_exponential(2 * (int(rnd.trip_end.sum()) + 4)).tolist()
        rng = self.rng

        def draw(mean_s: float) -> float:
            if not block:
                block.extend(rng.standard_exponential(8).tolist())
            return block.pop() * mean_s

        return draw

    def pop_day(self) -> list[RoundStats]:
        out = self.stats
        self.stats = [RoundStats() for _ in out]
        return out


def attach_legs(rnd: Round, pp_s, pp_m, to_s, to_m, from_s, from_m) -> Round:
    """Store a round's travel legs as plain lists (read once per stop).

    pp_s / pp_m: legs between consecutive stops (len = stops, first unused); to_* / from_*:
    stop -> depot and depot -> stop for each stop."""
    # in place: a truck on its round holds these lists and sees re-routed legs at once
    for lst, vals in ((rnd.leg_s, pp_s), (rnd.leg_m, pp_m), (rnd.to_s, to_s), (rnd.to_m, to_m),
                      (rnd.from_s, from_s), (rnd.from_m, from_m)):
        lst[:] = map(float, vals)
    rnd.stops_list = [int(x) for x in rnd.stops]
    rnd.trip_end_list = [bool(x) for x in rnd.trip_end]
    return rnd
