"""One master clock per run: a SimPy environment in seconds since the scenario start, with a
calendar attached so models know the date, the season and the Spring Festival."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import simpy

DAY_S = 86_400.0
HOUR_S = 3_600.0

# First day of the Chinese (lunar) New Year, Gregorian calendar; public almanac dates.
SPRING_FESTIVAL = {
    2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 10), 2014: (1, 31), 2015: (2, 19),
    2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12),
    2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6),
    2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31),
    2034: (2, 19), 2035: (2, 8),
}


class Calendar:
    """Maps simulation seconds to dates; the scenario's start is t = 0."""

    def __init__(self, start: dt.datetime):
        self.start = start

    def datetime(self, t_s: float) -> dt.datetime:
        return self.start + dt.timedelta(seconds=float(t_s))

    def date(self, t_s: float) -> dt.date:
        return self.datetime(t_s).date()

    def seconds(self, when: dt.datetime | dt.date) -> float:
        """Seconds since the start for an absolute date or date-time."""
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time())
        return (when - self.start).total_seconds()

    @staticmethod
    def spring_festival(year: int) -> dt.date:
        """First day of the lunar new year (2010-2035)."""
        if year not in SPRING_FESTIVAL:
            raise ValueError(f"Spring Festival date known for 2010-2035 only, not {year}")
        return dt.date(year, *SPRING_FESTIVAL[year])

    def days_from_spring_festival(self, t_s: float) -> int:
        """Signed days to the nearest Spring Festival (negative before it)."""
        d = self.date(t_s)
        offsets = [(d - self.spring_festival(y)).days for y in (d.year - 1, d.year, d.year + 1)
                   if y in SPRING_FESTIVAL]
        return min(offsets, key=abs) if offsets else 10**6


class Clock:
    """The run's SimPy environment plus helpers to step models at their own period."""

    def __init__(self, calendar: Calendar, horizon_s: float):
        self.env = simpy.Environment()
        self.calendar = calendar
        self.horizon_s = float(horizon_s)

    @property
    def now_s(self) -> float:
        return float(self.env.now)

    def every(self, period_s: float, fn: Callable[[float], None], *, offset_s: float = 0.0) -> None:
        """Call `fn(now_s)` at offset, offset + period, ... while before the horizon."""
        if period_s <= 0:
            raise ValueError("period_s must be positive")

        def ticker():
            if offset_s:
                yield self.env.timeout(offset_s)
            while self.env.now < self.horizon_s:
                fn(float(self.env.now))
                yield self.env.timeout(period_s)

        self.env.process(ticker())

    def at(self, t_s: float, fn: Callable[[float], None]) -> None:
        """Call `fn(t_s)` once at `t_s` (ignored beyond the horizon)."""
        if t_s > self.horizon_s:
            return

        def once():
            yield self.env.timeout(max(0.0, t_s - self.env.now))
            fn(float(self.env.now))

        self.env.process(once())

    def step_mesa(self, model, period_s: float, *, offset_s: float = 0.0) -> None:
        """Step a Mesa model from the master clock at its own period."""
        self.every(period_s, lambda _t: model.step(), offset_s=offset_s)

    def run(self, progress: Callable[[float], None] | None = None, chunk_s: float = DAY_S) -> None:
        """Run to the horizon, reporting progress (seconds done) after each chunk."""
        t = 0.0
        while t < self.horizon_s:
            t = min(self.horizon_s, t + chunk_s)
            self.env.run(until=t)
            if progress:
                progress(t)
