"""Numbers as a reader writes them, for every text twin prints: significant digits kept,
thousands separated, never scientific notation (-17,110 h, not -1.711e+04)."""

from __future__ import annotations

import math


def plain(v: float, sig: int = 4) -> str:
    """`v` to `sig` significant digits in plain notation; 'n/a' when not finite."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    digits = max(0, sig - 1 - math.floor(math.log10(abs(x))))
    text = f"{round(x, digits):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
