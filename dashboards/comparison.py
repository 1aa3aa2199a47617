"""Scenario comparison (policy analyst): pick a sweep, a KPI and policies; the KPI's
distribution per policy over scenarios and replicates, the paired difference to a baseline
policy with its confidence interval, time series with bands, sensitivity indices and
scenario-discovery sentences; the current view exported as PNG and its numbers as CSV.

A sweep store is opened lazily: the per-run scalars and coordinates (a few numbers per run)
are read once; a time series is read only for the runs of the selected policies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import panel as pn
import xarray as xr
from bokeh.models import ColumnDataSource, FactorRange, Span, Whisker
from bokeh.plotting import figure
from bokeh.transform import jitter

from dashboards.data import options, time_dim, times, unit
from dashboards.stores import StoreInfo
from dashboards.theme import PALETTE, bilingual, style, template
from twin.core.errors import TwinError
from twin.sweep.store import OK, strings

RESERVED = ("status", "error", "design_unit")


def _setting(x) -> float | str:
    """A lever's value as a number, or as its text for a choice lever ('performance')."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return str(x)


class Sweep:
    """A sweep store: per-run scalars in memory, everything else left on disk."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.ds = xr.open_zarr(self.path, consolidated=None, chunks=None)  # lazy, no dask
        a = self.ds.attrs
        self.name = str(a.get("sweep", self.path.stem))
        self.policies = json.loads(a.get("policies", "[]"))
        self.scalars = [v for v in self.ds.data_vars if v not in RESERVED
                        and self.ds[v].dims == ("run",)]
        self.series = [v for v in self.ds.data_vars if v not in RESERVED
                       and self.ds[v].dims[:1] == ("run",) and len(self.ds[v].dims) == 2
                       and time_dim(self.ds[v]) == self.ds[v].dims[1]]  # (run, <base>)
        self.small = self.ds[[*self.scalars, "status", "design_unit"]].load()  # small numbers
        self.policy = strings(self.small["policy"].values)
        self.ok = np.asarray(self.small["status"].values) == OK
        self.design = json.loads(a.get("design", "{}")).get("kind", "")
        self.uncertainties = json.loads(a.get("uncertainties", "[]"))
        self.n_runs = len(self.policy)
        self._cache: dict = {}
        self.report = self._report(a)

    def _report(self, attrs: dict) -> dict:
        """The analysis `twin sweep` saved (store attribute, or a file beside the store)."""
        text = attrs.get("analysis")
        side = self.path.with_name(self.path.name.removesuffix(".zarr") + ".analysis.json")
        if text is None and side.is_file():
            text = side.read_text(encoding="utf-8")
        if isinstance(text, dict):
            return text
        try:
            return json.loads(text) if text else {}
        except ValueError:
            return {}

    def values(self, kpi: str) -> np.ndarray:
        return np.where(self.ok, np.asarray(self.small[kpi].values, dtype=float), np.nan)

    def units(self, kpi: str) -> str:
        return unit(self.ds[kpi])

    def label(self, kpi: str) -> str:
        u = self.units(kpi)
        return f"{kpi} ({u})" if u else f"{kpi} (share, 1)" if self.ds[kpi].attrs.get(
            "units") == "1" else kpi

    def bad(self, kpi: str) -> str | None:
        """Which direction of the KPI is bad ('high', 'low' or None: not declared)."""
        from dashboards.labels import bad_direction

        return bad_direction(kpi, self.ds[kpi].attrs)

    def kpi_label(self, kpi: str) -> str:
        from dashboards.labels import output_label

        return output_label(kpi, self.ds[kpi].attrs)

    def policy_settings(self, policy: str) -> dict[str, float]:
        """The levers a policy sets (their values in its first run) that differ from the
        baseline run's: what the policy does, in parameter terms."""
        levers = [k for k in json.loads(self.ds.attrs.get("levers", "[]")) if k in self.ds.coords]
        key = ("levers", policy)
        if key not in self._cache:
            vals = {k: np.asarray(self.ds[k].values) for k in levers}
            runs = np.flatnonzero(self.policy == policy)
            first = {k: _setting(v[runs[0]]) for k, v in vals.items() if len(runs)}
            self._cache[key] = {k: x for k, x in first.items() if x != 0.0}
        return self._cache[key]

    def policy_label(self, policy: str) -> str:
        from dashboards.labels import policy_label

        return policy_label(policy, self.policy_settings(policy))

    def differences(self, kpi: str, baseline: str) -> list:
        from twin.sweep.paired import paired_differences

        key = ("diff", kpi, baseline)
        if key not in self._cache:
            self._cache[key] = paired_differences(self.small, kpi, baseline)
        return self._cache[key]

    def sensitivity(self, kpi: str, policy: str) -> tuple[list[dict], str]:
        from twin.sweep.analysis import morris_indices, sobol_indices

        key = ("sens", kpi, policy)
        if key not in self._cache:
            if self.design not in ("sobol", "morris"):
                self._cache[key] = ([], f"no sensitivity indices: the design is "
                                        f"{self.design} (sobol or morris needed)")
            else:
                fn = sobol_indices if self.design == "sobol" else morris_indices
                try:
                    self._cache[key] = (fn(self.small, kpi, policy), "")
                except TwinError as e:
                    self._cache[key] = ([], str(e))
        return self._cache[key]

    def discovery(self, kpi: str, threshold: float, direction: str) -> str:
        from twin.sweep.analysis import discover

        key = ("disc", kpi, round(threshold, 12), direction)
        if key not in self._cache:
            kw = {"above": threshold} if direction == "above" else {"below": threshold}
            try:
                self._cache[key] = discover(self.small, kpi, **kw)["sentence"]
            except TwinError as e:
                self._cache[key] = str(e)
        return self._cache[key]

    def band(self, series: str, policy: str) -> pd.DataFrame:
        """5%, 50% and 95% of a time series over the policy's runs (only those are read)."""
        key = ("band", series, policy)
        if key not in self._cache:
            idx = np.flatnonzero((self.policy == policy) & self.ok)
            y = np.asarray(self.ds[series].isel(run=idx).values, dtype=float)
            q = np.nanpercentile(y, [5, 50, 95], axis=0) if len(idx) else np.full((3, 0), np.nan)
            self._cache[key] = pd.DataFrame({"p05": q[0], "p50": q[1], "p95": q[2]},
                                            index=times(self.ds, time_dim(self.ds[series])))
        return self._cache[key]


_OPEN: dict[tuple[str, float], Sweep] = {}


def open_sweep(path: str | Path) -> Sweep:
    """One Sweep per store and server process (read-only; its caches serve every session),
    opened again if the store changed on disk."""
    p = Path(path)
    key = (str(p.resolve()), (p / "zarr.json").stat().st_mtime)
    if key not in _OPEN:
        _OPEN[key] = Sweep(p)
    return _OPEN[key]


def stamp(t: pd.Timestamp) -> str:
    """A row's time for the CSV: the date on a daily base, date and time otherwise."""
    return f"{t:%Y-%m-%d}" if t == t.normalize() else f"{t:%Y-%m-%d %H:%M:%S}"


def short(key: str) -> str:
    """'model.param' -> 'param' for axis labels."""
    return key.rpartition(".")[2]


def summary(sw: Sweep, kpi: str, policies: list[str]) -> pd.DataFrame:
    y = sw.values(kpi)
    rows = []
    for p in policies:
        v = y[(sw.policy == p) & np.isfinite(y)]
        q = np.percentile(v, [5, 25, 50, 75, 95]) if len(v) else [np.nan] * 5
        rows.append({"policy": p, "runs": len(v), "mean": v.mean() if len(v) else np.nan,
                     "p05": q[0], "q1": q[1], "median": q[2], "q3": q[3], "p95": q[4]})
    return pd.DataFrame(rows)


class Comparison:
    """Widgets, sources and figures of one sweep; every change updates sources in place."""

    def __init__(self, sw: Sweep):
        self.sw = sw
        if not sw.scalars:
            raise TwinError(f"{sw.path}: no scalar output to compare")
        kpi = sw.scalars[0]
        self.kpi = pn.widgets.Select(name="KPI 指标", value=kpi,
                                     options={sw.kpi_label(k): k for k in sw.scalars})
        self.chosen = pn.widgets.CheckBoxGroup(name=bilingual("policy") + " (shown)",
                                               options=sw.policies, value=list(sw.policies))
        self.baseline = pn.widgets.Select(name="baseline policy 基准政策", options=sw.policies,
                                          value=sw.policies[0])
        self.series = pn.widgets.Select(name="time series 时间序列",
                                        options={sw.kpi_label(k): k for k in sw.series},
                                        value=sw.series[0] if sw.series else None,
                                        visible=bool(sw.series))
        self.direction = pn.widgets.RadioButtonGroup(
            name="a run fails when the KPI is", options=["below", "above"], value="below",
            button_type="light")
        self.threshold = pn.widgets.FloatSlider(name="failure threshold 失败阈值", start=0,
                                                end=1, value=0.5, step=0.01,
                                                css_classes=["threshold-slider"])
        self._build_figures()
        self.sentences = pn.pane.Markdown("", sizing_mode="stretch_width",
                                          css_classes=["comparison-sentences"])
        self.sens_note = pn.pane.Markdown("", sizing_mode="stretch_width",
                                          css_classes=["sensitivity-note"])
        self._reset_threshold()
        for w in (self.kpi, self.chosen, self.baseline, self.series):
            w.param.watch(self.update, "value")
        self.kpi.param.watch(lambda e: self._reset_threshold(), "value")
        self.threshold.param.watch(self.update_threshold, "value")
        self.direction.param.watch(self.update_threshold, "value")
        self.update()

    # -- figures --------------------------------------------------------------------------
    def _build_figures(self) -> None:
        tools = "pan,wheel_zoom,reset,save"
        self.dist_box = ColumnDataSource({k: [] for k in ("policy", "q1", "q3", "median",
                                                          "p05", "p95", "colour")})
        self.dist_pts = ColumnDataSource({"policy": [], "y": [], "colour": []})
        f = figure(height=300, sizing_mode="stretch_width", tools=tools,
                   x_range=FactorRange(*self.sw.policies),
                   title=bilingual("Distribution per policy") + " (scenarios x replicates)",
                   x_axis_label=bilingual("policy"))
        f.vbar(x="policy", bottom="q1", top="q3", width=0.5, source=self.dist_box,
               fill_color="colour", fill_alpha=0.35, line_color="colour")
        f.add_layout(Whisker(base="policy", lower="p05", upper="p95", source=self.dist_box))
        f.scatter(x=jitter("policy", width=0.35, range=f.x_range), y="y", source=self.dist_pts,
                  size=4, alpha=0.5, color="colour")
        f.scatter(x="policy", y="median", marker="dash", size=40, line_width=3,
                  line_color="#202124", source=self.dist_box)
        self.threshold_line = Span(location=0, dimension="width", line_color="#d62728",
                                   line_dash="dashed", line_width=2)
        f.add_layout(self.threshold_line)
        self.dist_fig = style(f)
        self.diff_src = ColumnDataSource({k: [] for k in ("policy", "mean", "low", "high",
                                                          "colour")})
        g = figure(height=300, sizing_mode="stretch_width", tools=tools,
                   y_range=FactorRange(*self.sw.policies[1:] or ["-"]),
                   title="")
        g.segment(x0="low", x1="high", y0="policy", y1="policy", source=self.diff_src,
                  line_width=3, color="colour")
        g.scatter(x="mean", y="policy", source=self.diff_src, size=10, color="colour")
        g.add_layout(Span(location=0, dimension="height", line_color="#202124"))
        self.diff_fig = style(g)
        self.band_srcs = []
        h = figure(height=280, sizing_mode="stretch_width", tools=tools, x_axis_type="datetime",
                   title=bilingual("Time series") + " (median, 5-95% band)",
                   x_axis_label=bilingual("time"))
        for i, p in enumerate(self.sw.policies):
            src = ColumnDataSource({"t": [], "p05": [], "p50": [], "p95": []})
            c = PALETTE[i % len(PALETTE)]
            h.varea(x="t", y1="p05", y2="p95", source=src, fill_color=c, fill_alpha=0.2,
                    legend_label=p)
            h.line(x="t", y="p50", source=src, color=c, line_width=2, legend_label=p)
            self.band_srcs.append(src)
        h.legend.location = "top_left"
        self.band_fig = style(h)
        self.sens_src = ColumnDataSource({"parameter": [], "value": [], "low": [], "high": [],
                                          "kind": [], "colour": []})
        s = figure(height=280, sizing_mode="stretch_width", tools=tools,
                   y_range=FactorRange(*[short(u) for u in self.sw.uncertainties] or ["-"]),
                   title=bilingual("Sensitivity"))
        s.hbar(y="parameter", right="value", height=0.6, source=self.sens_src,
               fill_color="colour", line_color="colour", fill_alpha=0.6)
        s.segment(x0="low", x1="high", y0="parameter", y1="parameter", source=self.sens_src,
                  color="#202124", line_width=2)
        self.sens_fig = style(s)

    # -- updates ---------------------------------------------------------------------------
    def colours(self) -> dict:
        return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(self.sw.policies)}

    def _reset_threshold(self) -> None:
        """Threshold on the bad side of the KPI: above its 75th percentile when high is bad
        (a flood volume), below its 25th when low is (a participation); undeclared KPIs
        start below the 25th and the page says the direction is the analyst's choice."""
        y = self.sw.values(self.kpi.value)
        y = y[np.isfinite(y)]
        lo, hi = (float(y.min()), float(y.max())) if len(y) else (0.0, 1.0)
        if hi <= lo:  # every run alike: a range around the value, never a degenerate one
            pad = abs(lo) * 0.1 or 1.0
            lo, hi = lo - pad, hi + pad
        bad = self.sw.bad(self.kpi.value)
        direction = "above" if bad == "high" else "below"
        value = float(np.percentile(y, 75 if bad == "high" else 25)) if len(y) else lo
        with pn.io.hold():
            self.direction.value = direction
            self.threshold.param.update(start=lo, end=hi, step=(hi - lo) / 200, value=value)

    def update(self, *_e) -> None:
        sw, kpi, col = self.sw, self.kpi.value, self.colours()
        shown = [p for p in sw.policies if p in self.chosen.value] or [self.baseline.value]
        y = sw.values(kpi)
        st = summary(sw, kpi, shown)
        self.dist_fig.x_range.factors = shown
        self.dist_box.data = {**{k: st[k].values for k in ("policy", "q1", "q3", "median",
                                                           "p05", "p95")},
                              "colour": [col[p] for p in shown]}
        m = np.isin(sw.policy, shown) & np.isfinite(y)
        self.dist_pts.data = {"policy": sw.policy[m], "y": y[m],
                              "colour": [col[p] for p in sw.policy[m]]}
        self.dist_fig.yaxis.axis_label = sw.label(kpi)  # short: the long name is in the menu
        diffs = [d for d in sw.differences(kpi, self.baseline.value) if d.policy in shown]
        self.diff_fig.y_range.factors = [d.policy for d in diffs] or ["-"]
        self.diff_src.data = {"policy": [d.policy for d in diffs],
                              "mean": [d.mean for d in diffs], "low": [d.low for d in diffs],
                              "high": [d.high for d in diffs],
                              "colour": [VERDICT_COLOUR[verdict(d, sw.bad(kpi))]
                                         for d in diffs]}
        self.diff_fig.xaxis.axis_label = f"policy - {self.baseline.value} ({sw.units(kpi) or '1'})"
        self.diff_fig.title.text = (f"Paired difference to {self.baseline.value} "
                                    "(95% CI) 配对差值")
        if self.series.value:
            for p, src in zip(sw.policies, self.band_srcs, strict=True):
                b = sw.band(self.series.value, p) if p in shown else None
                src.data = ({"t": b.index, "p05": b.p05.values, "p50": b.p50.values,
                             "p95": b.p95.values} if b is not None
                            else {"t": [], "p05": [], "p50": [], "p95": []})
            self.band_fig.yaxis.axis_label = sw.label(self.series.value)
        self.diffs, self.stats = diffs, st
        self._sensitivity()
        self.update_threshold()

    def _sensitivity(self) -> None:
        """Only indices whose bootstrap interval is narrow enough are drawn (with their
        interval); the others are listed with the runs they would need."""
        rows, problem = self.sw.sensitivity(self.kpi.value, self.baseline.value)
        self.sens_rows, self.sens_problem = rows, problem
        shown = [r for r in rows if r.get("reported")]
        self.sens_withheld = [r for r in rows if not r.get("reported")]
        morris = bool(rows) and "mu_star" in rows[0]
        key = "mu_star" if morris else "ST"
        v = [r[key] for r in shown]
        what = (f"Morris mu* ({self.sw.units(self.kpi.value) or '1'}), 95% interval" if morris
                else "Sobol total index ST (0 to 1), 95% interval")
        names = [self._param_name(r["parameter"]) for r in shown]
        self.sens_fig.y_range.factors = names or ["(no index reported)"]
        self.sens_src.data = {"parameter": names, "value": v,
                              "low": [r[f"{key}_low"] for r in shown],
                              "high": [r[f"{key}_high"] for r in shown],
                              "kind": [what] * len(v), "colour": [PALETTE[0]] * len(v)}
        if not morris:
            self.sens_fig.x_range.start, self.sens_fig.x_range.end = 0.0, 1.0
        self.sens_fig.xaxis.axis_label = what
        self.sens_fig.title.text = f"{bilingual('Sensitivity')} under {self.baseline.value}"
        lines = [f"- **{self._param_name(r['parameter'])}**: "
                 f"{r.get('finding', 'too few samples')}" for r in self.sens_withheld]
        if problem:
            lines = [f"- {problem}. {SENSITIVITY_HINT}"]
        elif not shown and rows:
            lines.insert(0, "No index is narrow enough to report yet:")
        self.sens_note.object = "\n".join(lines)

    def _param_name(self, key: str) -> str:
        from dashboards.labels import param_doc

        doc, unit = param_doc(key)
        return f"{doc} ({short(key)})" if doc and len(doc) <= 40 else short(key)

    def update_threshold(self, *_e) -> None:
        from dashboards.labels import plain

        kpi, thr = self.kpi.value, float(self.threshold.value)
        u = self.sw.units(kpi)
        bad = self.sw.bad(kpi)
        self.threshold_line.location = thr
        lines = [f"#### {bilingual('Paired difference to the baseline')}"]
        lines += [f"- {diff_sentence(d, bad)}" for d in self.diffs] or ["- (one policy only)"]
        lines.append(f"#### {bilingual('Scenario discovery')} (PRIM)")
        side = "above" if self.direction.value == "above" else "below"
        note = ("" if bad else " (the model does not say which direction is bad: "
                "choose it on the left)")
        lines.append(f"- a run fails when **{kpi}** is {side} **{plain(thr, u)}**{note}: "
                     + self.sw.discovery(kpi, thr, self.direction.value))
        lines += [f"- from `twin sweep`: {d['sentence']}"
                  for d in self.sw.report.get("discovery", []) if "sentence" in d]
        lines.append("#### Policies 政策")
        lines += [f"- {self.sw.policy_label(p)}" for p in self.sw.policies]
        self.sentences.object = "\n".join(lines)

    # -- exports ---------------------------------------------------------------------------
    def numbers(self) -> pd.DataFrame:
        """Every number of the current view, one row each."""
        kpi, u = self.kpi.value, self.sw.units(self.kpi.value)
        rows = []
        for r in self.stats.to_dict("records"):
            for k in ("runs", "mean", "p05", "q1", "median", "q3", "p95"):
                rows.append(("distribution", r["policy"], "", k, r[k], u))
        for d in self.diffs:
            for k in ("mean", "low", "high", "n"):
                rows.append((f"difference to {d.reference}", d.policy, "", k, getattr(d, k), u))
        for s in self.sens_rows:
            for k, v in s.items():
                if isinstance(v, float):
                    rows.append(("sensitivity", s["policy"], s["parameter"], k, v, ""))
        if self.series.value:
            for p in self.chosen.value:
                b = self.sw.band(self.series.value, p)
                for t, r in b.iterrows():
                    for k in ("p05", "p50", "p95"):
                        rows.append((f"time series {self.series.value}", p, stamp(t), k,
                                     r[k], self.sw.units(self.series.value)))
        df = pd.DataFrame(rows, columns=["table", "policy", "parameter_or_time", "statistic",
                                         "value", "units"])
        df.insert(0, "kpi", kpi)
        df.insert(0, "sweep", self.sw.name)
        return df

    def png(self) -> bytes:
        from dashboards.export import comparison_png

        return comparison_png(self)

    def layout(self):
        series = (pn.pane.Bokeh(self.band_fig, sizing_mode="stretch_width") if self.sw.series
                  else pn.pane.Alert(NO_SERIES.format(name=self.sw.name), alert_type="info"))
        return pn.Column(
            pn.pane.Markdown(f"**{self.sw.name}** · {self.sw.n_runs:,} runs "
                             f"({int(self.sw.ok.sum()):,} ok) · design {self.sw.design}"),
            pn.Row(pn.pane.Bokeh(self.dist_fig, sizing_mode="stretch_width"),
                   pn.pane.Bokeh(self.diff_fig, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            pn.Tabs(("Findings 结论", self.sentences),
                    (bilingual("Time series"), series),
                    (bilingual("Sensitivity"),
                     pn.Column(pn.pane.Bokeh(self.sens_fig, sizing_mode="stretch_width"),
                               self.sens_note, sizing_mode="stretch_width")),
                    dynamic=True, sizing_mode="stretch_width"),  # drawn when opened
            sizing_mode="stretch_width")


NO_SWEEP = ("No sweep store yet, so there is nothing to compare. Run one, e.g. "
            "`twin sweep scenarios/sweeps/sorting_adoption.toml` (sorting policies) or "
            "`twin sweep scenarios/sweeps/rainstorm_waterlogging.toml` (storm response), "
            "then reload this page.")
NO_SERIES = ("The sweep **{name}** kept no time series, so there is nothing to draw here. "
             "Keep one by adding an output that keeps the time base to the sweep file's "
             "`[outputs]`, e.g. `participation = {{ var = \"participation\", reduce = "
             "\"mean\", over = [\"district\"] }}` (averaged over districts, one value per "
             "day), then rerun `twin sweep FILE --overwrite`.")
SENSITIVITY_HINT = ("Sensitivity needs a `[design]` of kind \"sobol\" (at least 32 base "
                    "samples) or \"morris\" (a few trajectories suit small budgets)")
VERDICT_COLOUR = {"better": "#2a7d3f", "worse": "#c0392b", "unclear": "#6c757d",
                  "changed": "#0b5fa5"}


def verdict(d, bad: str | None) -> str:
    """'better'/'worse' when the whole interval is on one side of 0 (and the bad direction
    is known), 'changed' when it is but the direction is not, else 'unclear'."""
    if not (d.n >= 2 and (d.low > 0 or d.high < 0)):
        return "unclear"
    if bad is None:
        return "changed"
    up = d.low > 0
    return "worse" if up == (bad == "high") else "better"


def diff_sentence(d, bad: str | None) -> str:
    """'campaign - no_policy = +0.038 (95% CI 0.037 to 0.038, 16 paired runs): better'."""
    from dashboards.labels import plain

    u = d.units if d.units and d.units != "1" else ""
    head = f"{d.output}: {d.policy} - {d.reference} = {'+' if d.mean > 0 else ''}" \
           f"{plain(d.mean, u)}"
    if d.n < 2:
        return f"{head} (one pair: no interval)"
    words = {"better": "**better** 更好", "worse": "**worse** 更差",
             "unclear": "no clear difference (the interval includes 0)",
             "changed": "a clear change (the model does not say which direction is bad)"}
    return (f"{head} ({d.confidence:.0%} CI {plain(d.low, u)} to {plain(d.high, u)}, "
            f"{d.n} paired runs): {words[verdict(d, bad)]}")


def app(stores: list[StoreInfo], results_dir: Path):
    from io import BytesIO

    sweeps = [s for s in stores if s.kind == "sweep"]
    opts = options(sweeps)
    select = pn.widgets.Select(name="sweep 扫描", options=opts,
                               value=next(iter(opts.values()), None), sizing_mode="stretch_width")
    controls = pn.Column(sizing_mode="stretch_width")
    main = pn.Column(sizing_mode="stretch_width")
    state: dict = {}

    def show(path):
        if not path:
            main[:] = [pn.pane.Alert(NO_SWEEP, alert_type="info")]
            controls[:] = []
            return
        try:
            state["c"] = c = Comparison(open_sweep(path))
        except Exception as e:  # noqa: BLE001 - a damaged store: a short alert, app goes on
            from dashboards.drill import short_reason

            main[:] = [pn.pane.Alert(short_reason(path, e), alert_type="danger")]
            controls[:] = []
            return
        for w in (c.kpi, c.chosen, c.baseline, c.series, c.direction, c.threshold):
            w.sizing_mode = "stretch_width"
        controls[:] = [c.kpi, f"{bilingual('policy')} (shown)", c.chosen, c.baseline, c.series,
                       "a run fails when the KPI is",
                       c.direction, c.threshold]
        main[:] = [c.layout()]

    select.param.watch(lambda e: show(e.new), "value")
    show(select.value)
    png = pn.widgets.FileDownload(callback=lambda: BytesIO(state["c"].png()),
                                  filename="comparison.png", label="Export PNG 导出图片",
                                  button_type="primary", sizing_mode="stretch_width")
    csv = pn.widgets.FileDownload(
        callback=lambda: BytesIO(state["c"].numbers().to_csv(index=False).encode("utf-8")),
        filename="comparison.csv", label="Export CSV 导出数据", button_type="primary",
        sizing_mode="stretch_width")
    def briefing():
        from dashboards.briefing import page, sweep_section

        path = select.value
        return BytesIO(page(f"Scenario comparison briefing: {Path(path).stem}",
                            sweep_section(path)).encode("utf-8"))

    brief = pn.widgets.FileDownload(callback=briefing, filename="comparison_briefing.html",
                                    label="Briefing (HTML) 下载简报", button_type="primary",
                                    sizing_mode="stretch_width", disabled=not select.value)
    return template("Scenario comparison", [main], [select, controls, png, csv, brief])
