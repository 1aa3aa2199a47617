"""Defect 8: a network with absurd values (1e12 ha catchments) was accepted and its flood of
3.8e15 m3 written as a result; a parse error echoed the first line of whatever file it was
given (/etc/passwd); SWMM's own input errors gave no line. Now values are checked against
plausible ranges and continuity, each error naming the element and line, never echoing the
file's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.core.errors import TwinError
from twin.models.drainage.inp import InpError, locate_swmm_errors, prepared_copy, read_inp

SMALL = """[TITLE]
a small network

[OPTIONS]
FLOW_UNITS           CMS

[RAINGAGES]
G1   INTENSITY 0:05 1.0 TIMESERIES  R1

[SUBCATCHMENTS]
S1   G1   J1   {area}   50   {width}   {slope}   0

[JUNCTIONS]
J1   10.0   {depth}
J2   9.0    2.0
{extra_node}
[OUTFALLS]
O1   8.0   FREE

[CONDUITS]
C1   J1   J2   {length}   {n}   0   0
C2   J2   O1   100        0.013 0   0

[XSECTIONS]
C1   CIRCULAR   0.5   0   0   0
C2   CIRCULAR   0.5   0   0   0
"""
GOOD = {"area": "4.0", "width": "200", "slope": "1.0", "depth": "2.0", "length": "100",
        "n": "0.013", "extra_node": ""}


def _write(tmp_path: Path, **changes) -> Path:
    p = tmp_path / "net.inp"
    p.write_text(SMALL.format(**{**GOOD, **changes}))
    return p


def test_a_plain_network_passes(tmp_path):
    inp = read_inp(_write(tmp_path))
    assert inp.names("CONDUITS") == ["C1", "C2"]


@pytest.mark.parametrize(("change", "says"), [
    ({"area": "1e12"}, "[SUBCATCHMENTS] 'S1': subcatchment area 1e+12 ha is not plausible"),
    ({"area": "0"}, "subcatchment area 0 ha"),
    ({"area": "nan"}, "must be a number (finite)"),
    ({"area": "inf"}, "must be a number (finite)"),
    ({"width": "-3"}, "subcatchment width -3 m"),
    ({"slope": "5000"}, "subcatchment slope 5000 %"),
    ({"length": "0"}, "[CONDUITS] 'C1': conduit length 0 m"),
    ({"length": "3e9"}, "conduit length 3e+09 m"),
    ({"n": "13"}, "Manning roughness 13"),
    ({"depth": "-1"}, "[JUNCTIONS] 'J1': maximum depth -1 m"),
    ({"extra_node": "J9   5.0   1.0\n"}, "[JUNCTIONS] 'J9' reaches no outfall"),
])
def test_absurd_values_and_cut_off_nodes_name_the_element_and_line(tmp_path, change, says):
    p = _write(tmp_path, **change)
    with pytest.raises(InpError) as err:
        read_inp(p)
    assert says in str(err.value)
    assert str(err.value).startswith(f"{p}:")


def test_us_units_are_converted_before_the_check(tmp_path):
    p = tmp_path / "net.inp"
    p.write_text(SMALL.format(**{**GOOD, "length": "300000"}).replace("CMS", "CFS"))
    read_inp(p)  # 300,000 ft = 91 km: long, but allowed
    p.write_text(SMALL.format(**{**GOOD, "length": "400000"}).replace("CMS", "CFS"))
    with pytest.raises(InpError, match="conduit length 121920 m"):
        read_inp(p)


@pytest.mark.parametrize("text", [
    "root:x:0:0:root:/root:/bin/bash\ns3cret:tok/en\n",
    "[root:x:0:0:s3cret:tok/en]\n",
    "[JUNCTIONS]\ns3cret:tok/en\n",
    "[JUNCTIONS]\nJ1 s3cret:tok/en 1\n",
])
def test_parse_errors_never_echo_the_files_text(tmp_path, text):
    p = tmp_path / "passwd"
    p.write_text(text)
    with pytest.raises(TwinError) as err:
        read_inp(p)
    assert "s3cret:tok/en" not in str(err.value) and "root:x" not in str(err.value)
    assert str(err.value).startswith(f"{p}")


def test_a_binary_file_is_refused(tmp_path):
    p = tmp_path / "x.inp"
    p.write_bytes(b"\x7fELF\x00\x01\x02")
    with pytest.raises(InpError, match="not a text file"):
        read_inp(p)


def test_swmm_errors_are_mapped_to_the_users_line(tmp_path):
    src = read_inp(_write(tmp_path))
    copy = prepared_copy(src, tmp_path, name="copy.inp")
    k = copy.read_text().splitlines().index("C2   CIRCULAR   0.5   0   0   0") + 1
    msg = f"ERROR 137: invalid cross-section shape at line {k} of [XSECTIONS] section:"
    user = SMALL.splitlines().index("C2   CIRCULAR   0.5   0   0   0") + 1
    assert locate_swmm_errors(msg, copy, src) == (
        f"ERROR 137: invalid cross-section shape at {src.path}:{user} ([XSECTIONS] 'C2'):")


def test_swmm_refusing_a_network_names_the_users_file_and_line(tmp_path):
    """End to end through the real engine: a shape SWMM does not know stops the run with
    SWMM's error pointing at the user's file and line, not at twin's copy."""
    from twin.core.errors import EngineError
    from twin.models.drainage.engine import SteppedRun

    p = tmp_path / "net.inp"
    text = SMALL.format(**GOOD).replace("C2   CIRCULAR", "C2   NOT_A_SHAPE")
    p.write_text(text)
    line = text.splitlines().index("C2   NOT_A_SHAPE   0.5   0   0   0") + 1
    with pytest.raises(EngineError) as err:
        SteppedRun(p)
    assert "SWMM refused the network" in str(err.value)
    assert f"{p}:{line}" in str(err.value)
