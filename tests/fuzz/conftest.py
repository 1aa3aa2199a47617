"""Fuzzing helpers: valid documents mutated at random (a key dropped, a value of another type
or an absurd size put in its place, an unknown key added), so Hypothesis explores the inputs a
careless or hostile user could give. The property everywhere: the input loads (or runs), or
stops with a TwinError; never another exception."""

from __future__ import annotations

import copy
import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sweep.conftest import write_sweep  # noqa: F401 - the soak test's sweep files

# examples per property in `make test`; TWIN_FUZZ_EXAMPLES raises it for a long soak
EXAMPLES = int(os.environ.get("TWIN_FUZZ_EXAMPLES", "60"))
settings.register_profile("twin", max_examples=EXAMPLES, deadline=None, derandomize=True,
                          database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.load_profile("twin")

_text = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", " ", "../x", "/etc/passwd", "a\nb", "a\x00b", "NaN", "1e999", "-1", "0", "demo",
     "small", "a", "design", "01:00", "2d", "99d 99:99", "9999-12-31", "é暴雨", "%s%n"]))
_numbers = st.one_of(st.integers(-2**63, 2**63 - 1), st.sampled_from(
    [0, -1, 1, 2**31, 10**12, -(10**12)]), st.floats(allow_nan=True, allow_infinity=True))
_when = st.one_of(st.dates(min_value=dt.date(1, 1, 1)),
                  st.datetimes(min_value=dt.datetime(1, 1, 1)),
                  st.datetimes(timezones=st.just(dt.UTC)))
scalars = st.one_of(st.booleans(), _numbers, _text, _when)
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(_text, scalars, max_size=2))


def paths(doc, prefix=()) -> list[tuple]:
    """Every key path of a nested document (tables and arrays of tables)."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for k, v in items:
        out.append((*prefix, k))
        if isinstance(v, (dict, list)) and v and all(isinstance(x, (dict, list, str, int,
                                                                     float)) for x in
                                                     (v.values() if isinstance(v, dict)
                                                      else v)):
            out += paths(v, (*prefix, k))
    return out


@st.composite
def mutated(draw, doc: dict, max_mutations: int = 3):
    """A copy of `doc` with one to `max_mutations` random mutations."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, max_mutations))):
        ps = paths(doc)
        if not ps:
            break
        p = draw(st.sampled_from(ps))
        parent = doc
        for k in p[:-1]:
            parent = parent[k]
        op = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if op == "replace":
            parent[p[-1]] = draw(values)
        elif op == "drop" and isinstance(parent, dict):
            del parent[p[-1]]
        elif isinstance(parent, dict):
            parent[draw(_text)] = draw(values)
    return doc


@pytest.fixture(scope="session")
def toy():
    from sweep.toy_model import ToyStorm

    from twin.core import registry

    return registry.register(ToyStorm)


@pytest.fixture(scope="session")
def growth():
    from calibrate.toy_growth import ToyGrowth

    from twin.core import registry

    return registry.register(ToyGrowth)
