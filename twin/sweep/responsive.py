"""Outputs that cannot respond to the policies a sweep compares.

A paired comparison on an output that no lever reaches reports "0, 95% CI [0, 0]", which an
analyst reads as "the policy does nothing" when the truth is "this output cannot see it" (a
flood KPI counted before the mobile pumps act, a waste KPI under a drainage lever). The sweep
says so instead: an output equal under every policy in every paired run is flagged, and when
the output's model is known, the channel graph says whether any lever's model can reach it
at all.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from twin.sweep.paired import paired_table


def upstream(model: str, classes: dict[str, type]) -> set[str]:
    """Models whose published channels reach `model`, directly or through others."""
    producer = {c.name: cls.name for cls in classes.values() for c in getattr(cls, "publishes", ())}
    seen, todo = set(), [model]
    while todo:
        cls = classes.get(todo.pop())
        for ch in getattr(cls, "reads", ()) if cls else ():
            p = producer.get(ch)
            if p and p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def lever_models(ds: xr.Dataset) -> set[str]:
    """Models whose parameters the policies set (`model.param` levers)."""
    keys = json.loads(ds.attrs.get("levers", "[]"))
    return {k.partition(".")[0] for k in keys if "." in k and not k.startswith(("events.",
                                                                             "city."))}


def unresponsive(ds: xr.Dataset, outputs, classes: dict[str, type] | None = None) -> list[dict]:
    """One warning per output that is the same under every policy in all (>= 2) paired runs."""
    if classes is None:
        from twin.core import registry

        classes = {n: registry.get(n) for n in registry.names()}
    levers = lever_models(ds)
    warnings = []
    for v in outputs:
        table, pols = paired_table(ds, v)
        rows = table[np.isfinite(table).all(axis=1)]
        if len(pols) < 2 or len(rows) < 2:
            continue
        scale = np.maximum(1.0, np.abs(rows).max(axis=1, keepdims=True))
        if (np.abs(rows - rows[:, :1]) > 1e-12 * scale).any():
            continue
        model = str(ds[v].attrs.get("model", ""))
        blind = bool(model and levers and model not in levers
                     and not levers & upstream(model, classes))
        if blind:
            sentence = (f"{v} cannot respond to the policies: it is recorded by {model}, and "
                        f"no channel carries anything from {', '.join(sorted(levers))} (where "
                        f"the levers act) to {model}; it was equal in all {len(rows)} paired "
                        "runs. Compare an output of a model the levers reach.")
        else:
            sentence = (f"{v} did not differ between the policies in any of {len(rows)} "
                        "paired runs: the levers do not reach it, or their effect is below "
                        "its resolution (a count, a threshold); its paired differences are "
                        "not evidence that the policies are equal.")
        warnings.append({"output": v, "pairs": int(len(rows)), "policies": pols,
                         "model": model, "cannot_respond": blind, "sentence": sentence})
    return warnings
