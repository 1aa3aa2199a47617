"""Printed numbers keep their significant digits and never use scientific notation."""

import math

import pytest

from twin.core.numbers import plain


@pytest.mark.parametrize("value,text", [
    (-17110.3, "-17,110"), (65110.0, "65,110"), (0.137772, "0.1378"), (2.0, "2"),
    (-0.0, "0"), (0.000123456, "0.0001235"), (1e12, "1,000,000,000,000"),
    (math.nan, "n/a"), (math.inf, "n/a")])
def test_plain(value, text):
    assert plain(value) == text


def test_three_digits_for_thresholds():
    assert plain(0.137772, 3) == "0.138" and plain(4230.4, 3) == "4,230"
