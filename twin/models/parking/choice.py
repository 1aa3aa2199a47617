"""Drivers' choice of a first option, for a batch of arrivals at once (numpy): a multinomial
logit on the money cost of each option (price x paid hours, walking and expected search time
at the value of time, the expected fine of overstaying a kerb limit).

Drivers judge how full an option is from what they know when they set off: the occupancy at
the start of the batch (`choice_interval_min`, a few minutes) rather than at their own arrival.
Whether the chosen space is really free is then checked one driver at a time (search.py).
"""

from __future__ import annotations

import numpy as np

from twin.models.parking.params import PUBLIC, RESIDENTIAL, SHARED, ParkingParams
from twin.models.parking.supply import KERB

RESIDENT = 0


def paid_hours_array(t: np.ndarray, dwell: np.ndarray, window) -> np.ndarray:
    """Hours of each stay [t, t + dwell) inside the daily paid window (vectorised)."""
    a, b = window[0] * 3600.0, window[1] * 3600.0
    out = np.zeros(len(t))
    if b <= a or not len(t):
        return out
    end = t + dwell
    day0 = np.floor(t / 86_400.0)
    for k in range(int(np.ceil(dwell.max() / 86_400.0)) + 2):
        lo, hi = (day0 + k) * 86_400.0 + a, (day0 + k) * 86_400.0 + b
        out += np.clip(np.minimum(hi, end) - np.maximum(lo, t), 0.0, None)
    return out / 3600.0


class ChoiceTables:
    """Per road node, the first `width` non-residential candidates within walking distance
    (padded with -1), and per district its residential pool."""

    def __init__(self, fac, cand, walks, p: ParkingParams, home_pool: list[int], width: int = 0):
        width = width or p.options + 6
        n = len(cand)
        self.f = np.full((n, width), -1, np.int64)
        self.w = np.full((n, width), np.inf)
        for node, (c, w) in enumerate(zip(cand, walks, strict=True)):
            keep = [(f, x) for f, x in zip(c, w, strict=True)
                    if x <= p.max_walk_m and fac.access[f] != RESIDENTIAL][:width]
            if keep:
                self.f[node, :len(keep)] = [k[0] for k in keep]
                self.w[node, :len(keep)] = [k[1] for k in keep]
        self.home_pool = np.asarray(home_pool, np.int64)
        self.kind, self.access = np.asarray(fac.kind), np.asarray(fac.access)
        self.district, self.walk = np.asarray(fac.district), np.asarray(fac.walk_m)

    def choose(self, eng, t, group, district, node, dwell, u0):
        """First choice (facility, -1 if none) and its walk for each driver of the batch."""
        p, fac = eng.p, eng.fac
        n = len(t)
        cap = np.asarray(fac.cap, float)
        occ = np.asarray(eng.occ, float)
        price = np.asarray(fac.price)
        kind, acc, fd = self.kind, self.access, self.district
        F = np.concatenate([self.home_pool[district][:, None], self.f[node]], axis=1)
        W = np.concatenate([self.walk[np.maximum(F[:, 0], 0)][:, None], self.w[node]], axis=1)
        Fc = np.maximum(F, 0)
        ok = (F >= 0) & (cap[Fc] > 0)
        ok &= ~((occ[Fc] >= cap[Fc]) & (kind[Fc] != KERB))  # full lots show it at the door
        res = (group == RESIDENT)[:, None]
        own = fd[Fc] == district[:, None]
        clock = t + eng.clock_offset_s  # time since the start's midnight
        hour = (clock % 86_400.0) / 3600.0
        window = ((hour >= p.shared_window_h[0]) & (hour < p.shared_window_h[1]))[:, None]
        a = acc[Fc]
        ok &= (a == PUBLIC) | ((a == SHARED) & (window | (res & own))) | \
            ((a == RESIDENTIAL) & res & own)
        ok &= np.cumsum(ok, axis=1) <= p.options + 1  # home pool + `options` nearest
        paid = paid_hours_array(clock, dwell, p.paid_hours_h)
        over = (paid > p.kerb_time_limit_h)[:, None] & (kind[Fc] == KERB)
        ratio = np.divide(occ[Fc], cap[Fc], out=np.ones(F.shape), where=cap[Fc] > 0)
        vot = p.value_of_time_cny_per_h / 3600.0
        cost = price[Fc] * paid[:, None] + vot * (
            W * (p.walk_weight / p.walk_speed_m_per_s)
            + p.search_weight * eng.hop_s * ratio ** 10)
        cost = cost + over * (np.asarray(eng.enf)[district][:, None] * p.fine_cny)
        v = np.where(ok, -cost / p.logit_scale_cny, -np.inf)
        top = v.max(axis=1, keepdims=True)
        top[~np.isfinite(top)] = 0.0
        ex = np.exp(v - top)
        cum = np.cumsum(ex, axis=1)
        total = cum[:, -1]
        k = np.minimum((cum < (u0 * total)[:, None]).sum(axis=1), F.shape[1] - 1)
        rows = np.arange(n)
        first = np.where(total > 0, F[rows, k], -1)
        return first, np.where(total > 0, W[rows, k], 0.0), paid
