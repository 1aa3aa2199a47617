"""The comparison's current view as a PNG, drawn server-side with matplotlib from the same
numbers the browser shows (no browser or webdriver needed to export)."""

from __future__ import annotations

from io import BytesIO

import numpy as np


def comparison_png(c) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sw, kpi = c.sw, c.kpi.value
    col = c.colours()
    fig, ax = plt.subplots(2, 2, figsize=(13, 8), dpi=100)
    shown = list(c.stats["policy"])
    y = sw.values(kpi)
    data = [y[(sw.policy == p) & np.isfinite(y)] for p in shown]
    ax[0, 0].boxplot(data, whis=(5, 95), showfliers=False)
    ax[0, 0].set_xticks(range(1, len(shown) + 1), shown)
    for i, v in enumerate(data, start=1):
        ax[0, 0].scatter(i + np.random.default_rng(i).uniform(-0.15, 0.15, len(v)), v, s=6,
                         alpha=0.4, color=col[shown[i - 1]])
    ax[0, 0].axhline(float(c.threshold.value), color="#d62728", ls="--", lw=1)
    ax[0, 0].set(title="Distribution per policy (box: quartiles, whiskers: 5-95%)",
                 ylabel=sw.label(kpi), xlabel="policy")
    d = c.diffs
    if d:
        pos = np.arange(len(d))
        ax[0, 1].errorbar([x.mean for x in d], pos, xerr=[[x.mean - x.low for x in d],
                                                          [x.high - x.mean for x in d]],
                          fmt="o", capsize=4)
        ax[0, 1].set_yticks(pos, [x.policy for x in d])
        ax[0, 1].axvline(0, color="#202124", lw=1)
    ax[0, 1].set(title=f"Paired difference to {c.baseline.value} (95% CI)",
                 xlabel=f"{sw.label(kpi)}: policy - {c.baseline.value}")
    if c.series.value:
        for p in shown:
            b = sw.band(c.series.value, p)
            ax[1, 0].fill_between(b.index, b.p05, b.p95, alpha=0.2, color=col[p])
            ax[1, 0].plot(b.index, b.p50, color=col[p], label=p)
        ax[1, 0].legend(fontsize=8)
        ax[1, 0].set(title="Time series (median, 5-95% band)", xlabel="time",
                     ylabel=sw.label(c.series.value))
        ax[1, 0].tick_params(axis="x", labelrotation=30)
    else:  # say why the panel is empty, never a blank one
        _note(ax[1, 0], "Time series", "this sweep kept no time series\n(add an output "
              "with `over = [...]` to [outputs])")
    src = c.sens_src.data
    if len(src["parameter"]):
        pos = np.arange(len(src["parameter"]))
        ax[1, 1].barh(pos, src["value"], xerr=np.subtract(src["high"], src["value"]),
                      color="#0b5fa5", alpha=0.6)
        ax[1, 1].set_yticks(pos, [p.rpartition(".")[2] for p in src["parameter"]])
        ax[1, 1].set(xlabel=src["kind"][0])
    else:
        _note(ax[1, 1], "", "no index narrow enough to report:\n"
              + "\n".join(f"{r['parameter'].rpartition('.')[2]}: {r.get('finding', '')[:60]}"
                          for r in c.sens_withheld[:4]) if c.sens_withheld
              else (c.sens_problem or "no sensitivity design")[:120])
    ax[1, 1].set(title=f"Sensitivity of {kpi} under {c.baseline.value}")
    fig.suptitle(f"twin · scenario comparison: {sw.name}, {kpi}")
    fig.tight_layout()
    out = BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _note(ax, title: str, text: str) -> None:
    """An empty panel that says why it is empty."""
    ax.axis("off")
    if title:
        ax.set_title(title)
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, color="#3c4043",
            transform=ax.transAxes, wrap=True)
