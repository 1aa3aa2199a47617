"""EPA SWMM in its own worker process.

SWMM keeps its state in C globals: one engine per process (pyswmm refuses a second
Simulation, the raw toolkit silently shares state). So every run gets a child process
(a fresh interpreter) that owns one Simulation, and the parent talks to it through a pipe.
Every call has a timeout; a SWMM error, a crash (segfault) or a hang in the child becomes an
`EngineError` for that run, never a lost sweep or a hung program.

All values crossing the pipe are SI: m, m3, m3/s, whatever the file's FLOW_UNITS.
`run_plain` is the reference (one SWMM stride over the whole run, no reads); `SteppedRun`
advances in strides from an outer clock and reads node and pump state at each stride.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from itertools import chain
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from twin.core.errors import EngineError
from twin.models.drainage.inp import (
    FLOW_TO_M3S,
    Inp,
    locate_swmm_errors,
    prepared_copy,
    read_inp,
)

FT = 0.3048
FT3 = FT**3
DEFAULT_TIMEOUT_S = 900.0
PLAIN_STRIDE_S = 2**30  # one swmm_stride covers any run: SWMM loops in C, Python waits


# ------------------------------------------------------------------------------------------
# results
@dataclass
class Summary:
    """End-of-run results of one SWMM run, SI units (outfalls excluded from node stats)."""

    network: str
    flow_units: str
    routing: str
    node_ids: list[str]
    node_kind: list[str]
    node_flood_volume_m3: np.ndarray
    node_flood_hours: np.ndarray
    node_peak_flood_rate_m3_per_s: np.ndarray
    node_max_depth_m: np.ndarray
    system_flood_volume_m3: float
    system_outflow_m3: float
    runoff_continuity_error_pct: float | None
    routing_continuity_error_pct: float | None
    pump_ids: list[str] = field(default_factory=list)
    pump_volume_m3: np.ndarray = field(default_factory=lambda: np.zeros(0))
    wall_s: float = 0.0
    node_peak_inflow_m3_per_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # SWMM's runoff and routing totals (m3): rainfall, infiltration, runoff, final surface
    # storage; external inflow, outflow, flooding, initial and final sewer storage
    totals_m3: dict = field(default_factory=dict)

    @property
    def n_flooded_nodes(self) -> int:
        return int(np.count_nonzero(self.node_flood_volume_m3 > 0))

    def flooded(self) -> dict[str, float]:
        return {n: float(v) for n, v in zip(self.node_ids, self.node_flood_volume_m3,
                                            strict=True) if v > 0}


def parse_report(rpt: str | Path) -> dict:
    """Continuity errors (%) and SWMM error lines from a report file."""
    text = Path(rpt).read_text(encoding="utf-8", errors="replace") if Path(rpt).is_file() else ""
    out = {"runoff_continuity_error_pct": None, "routing_continuity_error_pct": None,
           "errors": [ln.strip() for ln in text.splitlines() if ln.strip().startswith("ERROR")]}
    for key, title in (("runoff_continuity_error_pct", "Runoff Quantity Continuity"),
                       ("routing_continuity_error_pct", "Flow Routing Continuity")):
        i = text.find(title)
        if i >= 0:
            m = re.search(r"Continuity Error \(%\) \.+\s+(-?[\d.]+)", text[i:])
            if m:
                out[key] = float(m.group(1))
    # stored sewer volumes: the toolkit's routing totals hold them only after swmm_end, so
    # they come from the report (second column: 10^6 ltr or 10^6 gal)
    i = text.find("Flow Routing Continuity")
    for key, title in (("routing_initial_storage_m3", "Initial Stored Volume"),
                       ("routing_final_storage_m3", "Final Stored Volume")):
        m = re.search(re.escape(title) + r" \.+\s+(-?[\d.]+)\s+(-?[\d.]+)", text[i:]) \
            if i >= 0 else None
        if m:
            out[key] = float(m.group(2)) * (3785.411784 if "10^6 gal" in text[i:i + 200]
                                            else 1000.0)
    return out


# ------------------------------------------------------------------------------------------
# child process
class _Engine:
    """Lives in the child: one pyswmm Simulation and fast index-based access to it."""

    def __init__(self):
        self.sim = None

    def open(self, inp: str, rpt: str, out: str, stride_s: int) -> dict:
        from pyswmm import Simulation
        from pyswmm.toolkitapi import ObjectType
        from swmm.toolkit import _solver, solver

        self.solver = solver
        # straight to the C getters (the wrappers only forward their arguments): a run reads
        # about 100 k values
        self.node_get, self.link_get = _solver.node_get_result, _solver.link_get_result
        self.free_stats = _solver.delete_NodeStats
        self.rpt = rpt
        self.sim = Simulation(inp, rpt, out)
        m = self.sim._model
        self.stride_s = int(stride_s)
        self.sim.step_advance(self.stride_s)
        units = solver.simulation_get_unit(0)  # unit system: 0 US, 1 SI
        flow_units = ("CFS", "GPM", "MGD", "CMS", "LPS", "MLD")[solver.simulation_get_unit(1)]
        self.q = FLOW_TO_M3S[flow_units]
        self.len = FT if units == 0 else 1.0
        self.vol = FT3 if units == 0 else 1.0
        self.node_ids = m.getObjectIDList(ObjectType.NODE.value)
        kinds = {0: "junction", 1: "outfall", 2: "storage", 3: "divider"}
        self.node_kind = [kinds[solver.node_get_type(i).value]
                          for i in range(len(self.node_ids))]
        self.link_ids = m.getObjectIDList(ObjectType.LINK.value)
        self.pumps = [i for i in range(len(self.link_ids)) if solver.link_get_type(i).value == 1]
        self.full_depth = [solver.node_get_parameter(i, 1) * self.len
                           for i in range(len(self.node_ids))]
        n, pumps = len(self.node_ids), self.pumps
        self.read_nodes = [*range(n), *range(n)]
        self.read_codes = [5] * n + [4] * n  # depth, flooding rate
        self.read_links = pumps + pumps
        self.read_link_codes = [0] * len(pumps) + [5] * len(pumps)  # flow, setting
        # cumulative flood volume of every non-outfall node (SWMM's own integral, so the
        # street receives exactly what SWMM books as flooding; stats of outfalls segfault)
        self.flood_nodes = [i for i in range(n) if self.node_kind[i] != "outfall"]
        self.read_scale = np.r_[np.full(n, self.len), np.full(n, self.q),
                                np.full(len(pumps), self.q), np.ones(len(pumps)),
                                np.full(len(self.flood_nodes), self.vol)]
        self.forced: dict[int, float] = {}
        self.it = iter(self.sim)
        self.done = False
        self.last = None
        self.t_s = 0.0
        self.t0 = self.sim.start_time
        return {"node_ids": self.node_ids, "node_kind": self.node_kind,
                "link_ids": self.link_ids, "pump_ids": [self.link_ids[i] for i in self.pumps],
                "node_full_depth_m": self.full_depth, "flow_units": flow_units,
                "start": self.sim.start_time, "end": self.sim.end_time,
                "invert_m": [solver.node_get_parameter(i, 0) * self.len
                             for i in range(len(self.node_ids))]}

    def _step(self) -> None:
        for i, s in self.forced.items():
            self.solver.link_set_target_setting(i, s)
        try:
            next(self.it)
        except StopIteration:
            self.done = True
            return
        self.t_s = (self.sim.current_time - self.t0).total_seconds()

    def advance(self, times_s: list[float], read: bool = True) -> tuple:
        """Advance through the given times in turn, reading the state at each: returns
        ([(elapsed s, done)], states), states one SI row per time (node depth, node flooding
        rate, pump flow, pump setting; the last state once SWMM ended) or None unless read."""
        marks, rows = [], []
        for until_s in times_s:
            while not self.done and self.t_s < until_s - 1e-6:
                self._step()
            marks.append((self.t_s, self.done))
            if read and not self.done:  # once SWMM has ended its state is no longer readable
                self.last = np.fromiter(
                    chain(map(self.node_get, self.read_nodes, self.read_codes),
                          map(self.link_get, self.read_links, self.read_link_codes),
                          map(self._flood_volume, self.flood_nodes)),
                    float, len(self.read_scale)) * self.read_scale
            if read and self.last is not None:
                rows.append(self.last)
        return marks, (np.vstack(rows) if rows else None)

    def _flood_volume(self, i: int) -> float:
        """SWMM's cumulative flood volume of node i. The toolkit allocates a fresh stats
        struct per call and never frees it (about 170 bytes: 15-20 MB per simulated day at
        one read a minute on the city network), so it is freed here once read."""
        stats = self.solver.node_get_stats(i)
        try:
            return stats.volFlooded
        finally:
            self.free_stats(stats)

    def set_pump(self, pump_id: str, setting: float | None) -> None:
        i = self.link_ids.index(pump_id)
        if setting is None:
            self.forced.pop(i, None)
            self.solver.link_set_target_setting(i, 1.0)
        else:
            self.forced[i] = float(setting)
            self.solver.link_set_target_setting(i, float(setting))

    def set_inflow(self, node_id: str, q_m3_per_s: float) -> None:
        """External inflow at a node (>= 0: SWMM books it; negative inflows break continuity)."""
        if q_m3_per_s < 0:
            raise ValueError("negative inflows are not booked by SWMM's mass balance")
        self.sim._model.setNodeInflow(node_id, q_m3_per_s / self.q)

    def set_inflows(self, node_ids: list[str], q_m3_per_s: list[float]) -> None:
        """Several external inflows in one call (street water back through the inlets)."""
        for node_id, q in zip(node_ids, q_m3_per_s, strict=True):
            self.set_inflow(node_id, q)

    def set_flow_limit(self, link_id: str, q_m3_per_s: float) -> None:
        i = self.link_ids.index(link_id)
        self.solver.link_set_parameter(i, 3, q_m3_per_s / self.q)

    def finish(self) -> dict:
        while not self.done:
            self._step()
        m = self.sim._model
        keep = [i for i, k in enumerate(self.node_kind) if k != "outfall"]
        vol, hours, peak, maxd, peak_in = [], [], [], [], []
        for i in keep:  # never Node.statistics on an outfall: it segfaults
            st = m.node_statistics(self.node_ids[i])
            peak_in.append(st["peak_total_inflow"] * self.q)
            vol.append(st["flooding_volume"] * self.vol)
            hours.append(st["flooding_duration"])
            peak.append(st["peak_flooding_rate"] * self.q)
            maxd.append(st["max_depth"] * self.len)
        pumps = [m.pump_statistics(self.link_ids[i])["total_volume"] * self.vol
                 for i in self.pumps]
        rt = m.flow_routing_stats()
        ro = m.runoff_routing_stats()
        # the runoff totals come as depths over the whole subcatchment area (mm or in)
        n_sub = self.solver.project_get_count(1)  # 1: subcatchments
        area_m2 = sum(self.solver.subcatch_get_parameter(i, 1) for i in range(n_sub)) * (
            1e4 if self.len == 1.0 else 4046.8564224)  # ha or acres
        depth_m = 1e-3 if self.len == 1.0 else 0.0254
        totals = {f"runoff_{k}": ro[k] * depth_m * area_m2 for k in (
            "rainfall", "evaporation", "infiltration", "runoff", "init_storage",
            "final_storage")}
        totals.update({f"routing_{k}": rt[k] * self.vol for k in (
            "wet_weather_inflow", "dry_weather_inflow", "groundwater_inflow", "II_inflow",
            "external_inflow", "flooding", "outflow", "evaporation_loss",
            "seepage_loss", "initial_storage", "final_storage")})
        self.sim.close()
        rep = parse_report(self.rpt)
        for key in ("initial_storage", "final_storage"):
            totals[f"routing_{key}"] = rep.get(f"routing_{key}_m3", float("nan"))
        return {"node_ids": [self.node_ids[i] for i in keep],
                "node_kind": [self.node_kind[i] for i in keep],
                "node_flood_volume_m3": np.array(vol), "node_flood_hours": np.array(hours),
                "node_peak_flood_rate_m3_per_s": np.array(peak),
                "node_max_depth_m": np.array(maxd),
                "system_flood_volume_m3": rt["flooding"] * self.vol,
                "system_outflow_m3": rt["outflow"] * self.vol,
                "pump_ids": [self.link_ids[i] for i in self.pumps],
                "pump_volume_m3": np.array(pumps), "node_peak_inflow_m3_per_s": np.array(peak_in),
                "totals_m3": totals,
                "runoff_continuity_error_pct": rep["runoff_continuity_error_pct"],
                "routing_continuity_error_pct": rep["routing_continuity_error_pct"]}

    def crash(self) -> None:  # for tests: what a segfault in SWMM looks like
        os.kill(os.getpid(), signal.SIGSEGV)

    def sleep(self, seconds: float) -> None:  # for tests: what a hung SWMM call looks like
        time.sleep(seconds)


def _child_main(fd: int) -> None:
    _serve(Connection(fd))


def _send(conn: Connection, obj) -> None:
    # plain pickles over the framed connection: a stride is one small message each way, and
    # `Connection.send` builds a new ForkingPickler (copying its dispatch table) per message
    conn.send_bytes(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


def _recv(conn: Connection):
    return pickle.loads(conn.recv_bytes())  # only from our own child or parent


def _serve(conn) -> None:
    """Child main loop: (command, args) in, ("ok", value) or ("err", message) out."""
    eng = _Engine()
    while True:
        try:
            cmd, args = _recv(conn)
        except EOFError:
            return
        if cmd == "quit":
            _send(conn, ("ok", None))
            return
        try:
            _send(conn, ("ok", getattr(eng, cmd)(*args)))
        except Exception as e:  # everything goes back to the parent as a message
            msg = f"{type(e).__name__}: {e}"
            rpt = getattr(eng, "rpt", None)
            if rpt:
                errs = parse_report(rpt)["errors"]
                if errs:
                    msg += " | report: " + " ; ".join(errs[:5])
            _send(conn, ("err", msg))


# ------------------------------------------------------------------------------------------
# parent side
class Worker:
    """A child process owning one SWMM engine; every call bounded by a timeout.

    The child is a fresh interpreter (`subprocess`, not `multiprocessing`), so it works from
    any caller, including scripts without a `__main__` guard; the two talk over a socket pair
    with multiprocessing's framed pickles.
    """

    def __init__(self, label: str, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.label = label
        self.timeout_s = timeout_s
        ours, theirs = socket.socketpair()
        root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        env["OMP_NUM_THREADS"] = "1"
        code = f"from twin.models.drainage.engine import _child_main; _child_main({theirs.fileno()})"
        self.proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(),),
                                     env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()
        self.conn = Connection(ours.detach())
        # one poller for the worker's life (`Connection.poll` makes a new one every call)
        self.poller = select.poll()
        self.poller.register(self.conn.fileno(), select.POLLIN)
        # a run that fails between open and close (an error in a model, an interrupt) must
        # not leave its engine process behind: kill it when this object goes away
        weakref.finalize(self, _kill_quietly, self.proc)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def call(self, cmd: str, *args, timeout_s: float | None = None):
        if not self.alive():
            raise EngineError(self._died(cmd))
        try:
            _send(self.conn, (cmd, args))
        except (BrokenPipeError, OSError):
            raise EngineError(self._died(cmd)) from None
        limit = timeout_s or self.timeout_s
        deadline = time.monotonic() + limit
        while True:
            if self.poller.poll(200):  # ms
                try:
                    status, value = _recv(self.conn)
                except (EOFError, OSError):
                    raise EngineError(self._died(cmd)) from None
                if status == "err":
                    raise EngineError(f"SWMM failed on {self.label} ({cmd}): {value}")
                return value
            if not self.alive():
                raise EngineError(self._died(cmd))
            if time.monotonic() > deadline:
                self.kill()
                raise EngineError(f"SWMM engine for {self.label} did not answer {cmd!r} within "
                                  f"{limit:.0f} s; process killed")

    def _died(self, cmd: str) -> str:
        try:
            code = self.proc.wait(5.0)
        except subprocess.TimeoutExpired:
            code = None
        how = (f"killed by signal {-code} ({signal.Signals(-code).name})"
               if code is not None and code < 0 else f"exit code {code}")
        err = ""
        if self.proc.stderr is not None:
            tail = self.proc.stderr.read().decode(errors="replace").strip().splitlines()[-3:]
            err = (": " + " | ".join(tail)) if tail else ""
        return f"SWMM engine process for {self.label} died during {cmd!r} ({how}){err}"

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # the kernel refused SIGKILL
            self.proc.wait(5.0)

    def close(self) -> None:
        if self.alive():
            try:
                _send(self.conn, ("quit", ()))
                if self.conn.poll(5.0):
                    self.conn.recv_bytes()
                self.proc.wait(5.0)
            except (BrokenPipeError, EOFError, OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        self.conn.close()


def _kill_quietly(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5.0)


def _summary(network: str, inp: Inp, d: dict, wall_s: float) -> Summary:
    routing = (inp.option("FLOW_ROUTING", "KINWAVE") or "KINWAVE").upper()
    return Summary(network=network, flow_units=inp.flow_units, routing=routing,
                   node_ids=d["node_ids"], node_kind=d["node_kind"],
                   node_flood_volume_m3=d["node_flood_volume_m3"],
                   node_flood_hours=d["node_flood_hours"],
                   node_peak_flood_rate_m3_per_s=d["node_peak_flood_rate_m3_per_s"],
                   node_max_depth_m=d["node_max_depth_m"],
                   system_flood_volume_m3=d["system_flood_volume_m3"],
                   system_outflow_m3=d["system_outflow_m3"],
                   runoff_continuity_error_pct=d["runoff_continuity_error_pct"],
                   routing_continuity_error_pct=d["routing_continuity_error_pct"],
                   pump_ids=d["pump_ids"], pump_volume_m3=d["pump_volume_m3"], wall_s=wall_s,
                   node_peak_inflow_m3_per_s=d["node_peak_inflow_m3_per_s"],
                   totals_m3=d["totals_m3"])


class SteppedRun:
    """A SWMM run advanced from an outer clock: `advance(t_s)` returns the state at t_s.

    Use as a context manager; `finish()` runs to SWMM's end and returns the Summary.
    The network is copied to a temporary folder with THREADS 1 and the rain scaled, so the
    user's file is never touched and a plain run of the same copy is an exact reference.
    """

    def __init__(self, network: str | Path | Inp, *, stride_s: int = 60, rain_scale: float = 1.0,
                 timeout_s: float = DEFAULT_TIMEOUT_S, keep_files: bool = False):
        self.inp = network if isinstance(network, Inp) else read_inp(network)
        self.name = self.inp.path.name
        self.stride_s = int(stride_s)
        self.tmp = Path(tempfile.mkdtemp(prefix="twin-swmm-"))
        self.keep_files = keep_files
        if not keep_files:
            weakref.finalize(self, shutil.rmtree, self.tmp, ignore_errors=True)
        path = prepared_copy(self.inp, self.tmp, rain_scale=rain_scale)
        self.worker = Worker(self.name, timeout_s)
        self.wall_s = 0.0
        try:
            t0 = time.perf_counter()
            self.meta = self.worker.call("open", str(path), str(self.tmp / "model.rpt"),
                                         str(self.tmp / "model.out"), self.stride_s)
            self.wall_s += time.perf_counter() - t0
        except EngineError as e:
            self.worker.close()  # the engine flushes its report as it exits
            self.worker = None
            located = self._input_errors(path)  # read before close() removes the report
            self.close()
            if located:
                raise EngineError(f"{self.name}: SWMM refused the network: {located}") from None
            raise e
        except BaseException:
            self.close()
            raise
        self.node_ids: list[str] = self.meta["node_ids"]
        self.pump_ids: list[str] = self.meta["pump_ids"]
        self.duration_s = (self.meta["end"] - self.meta["start"]).total_seconds()
        self.done = False
        self.t_s = 0.0  # engine time (elapsed s)
        self._ahead: deque[tuple[float, dict]] = deque()  # states computed, not yet taken

    def _input_errors(self, written: Path) -> str:
        """SWMM's ERROR lines of the report, each pointing at the user's file and line."""
        errors = parse_report(self.tmp / "model.rpt")["errors"]
        return "; ".join(locate_swmm_errors(e, written, self.inp).rstrip(":") for e in errors[:5])

    def advance(self, until_s: float, read: bool = True, ahead_s: float = 0.0) -> dict:
        """The state at until_s. With ahead_s > 0 the engine also runs on through the strides
        up to until_s + ahead_s and keeps their states for the next calls: one round trip to
        the engine process for many strides. The caller must then send no command (pump,
        inflow, flow limit) before it has taken those states."""
        ahead = self._ahead
        while ahead and ahead[0][0] < until_s - 1e-6:
            ahead.popleft()
        if ahead and ahead[0][0] <= until_s + 1e-6:
            self.done = ahead[0][1]["done"]
            return ahead.popleft()[1]
        if until_s < self.t_s - 1e-6:
            raise EngineError(f"{self.name}: state at {until_s:g} s asked for after the engine "
                              f"ran ahead to {self.t_s:g} s")
        times = [until_s + k * self.stride_s for k in range(int(ahead_s // self.stride_s) + 1)]
        t0 = time.perf_counter()
        marks, states = self.worker.call("advance", times, read)
        self.wall_s += time.perf_counter() - t0
        self.t_s = marks[-1][0]
        n, p = len(self.node_ids), len(self.pump_ids)
        for i, (t, (t_s, done)) in enumerate(zip(times, marks, strict=True)):
            out = {"t_s": t_s, "done": done}
            if states is not None and i < len(states):  # views into the array the engine sent
                st = states[i]
                out.update(depth_m=st[:n], flood_m3_per_s=st[n:2 * n],
                           pump_flow_m3_per_s=st[2 * n:2 * n + p],
                           pump_setting=st[2 * n + p:2 * n + 2 * p],
                           flood_volume_m3=st[2 * n + 2 * p:])  # non-outfall nodes only
            ahead.append((t, out))
        return self.advance(until_s)

    def _command(self, cmd: str, *args) -> None:
        if self._ahead:
            raise EngineError(f"{self.name}: {cmd} sent while the engine has run ahead to "
                              f"{self.t_s:g} s with states from {self._ahead[0][0]:g} s not yet "
                              "taken; a command must come before the lookahead")
        self.worker.call(cmd, *args)

    def set_pump(self, pump_id: str, setting: float | None) -> None:
        """Force a pump's setting (0 = off) until released with None (back to on)."""
        if pump_id not in self.pump_ids:
            raise EngineError(f"{self.name}: no pump {pump_id!r}; pumps: {', '.join(self.pump_ids)}")
        self._command("set_pump", pump_id, setting)

    def set_inflow(self, node_id: str, q_m3_per_s: float) -> None:
        self._command("set_inflow", node_id, float(q_m3_per_s))

    def set_inflows(self, node_ids: list[str], q_m3_per_s) -> None:
        """External inflows (>= 0, m3/s) at several nodes, held until changed."""
        self._command("set_inflows", list(node_ids), [float(q) for q in q_m3_per_s])

    def set_flow_limit(self, link_id: str, q_m3_per_s: float) -> None:
        self._command("set_flow_limit", link_id, float(q_m3_per_s))

    def finish(self) -> Summary:
        t0 = time.perf_counter()
        try:
            d = self.worker.call("finish")
        finally:
            self.wall_s += time.perf_counter() - t0
            self.close()
        return _summary(self.name, self.inp, d, self.wall_s)

    def close(self) -> None:
        if getattr(self, "worker", None) is not None:
            self.worker.close()
            self.worker = None
        if not self.keep_files:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> SteppedRun:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_plain(network: str | Path | Inp, *, rain_scale: float = 1.0,
              timeout_s: float = DEFAULT_TIMEOUT_S) -> Summary:
    """The reference: SWMM runs the whole simulation in one stride, nothing read until the end."""
    run = SteppedRun(network, stride_s=PLAIN_STRIDE_S, rain_scale=rain_scale,
                     timeout_s=timeout_s)
    return run.finish()
