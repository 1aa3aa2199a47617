"""Where results go and how they are replaced, so that nothing a user has is lost by accident.

- Names: a store's default name comes from the scenario (or sweep) name by one rule,
  `store_name`: letters, digits, `_` and `-` are kept, any other character becomes `_`; a
  name that is a path (`/`, `\\`, `..`), holds a control character (newline, NUL) or has
  nothing left is refused, so a default store is always a direct child of `results/`.
- Temporary names are the project's own: `.<name>.twin-tmp-<pid>-<random>` in the target's
  folder (same file system, so the final rename is atomic), never a user's path.
- Replacing: the new store is written whole under its temporary name, then swapped with the
  old one (one atomic exchange on Linux), and only then is the old one deleted.
- Locks: one writer per store (`StoreLock`), a `<name>.twin-lock` file beside it holding pid,
  host and start time; the kernel releases it when the process dies, so a lock left by a
  killed driver is taken over (with a message), never waited on.

The rules for users are in docs/safety.md.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import json
import os
import re
import shutil
import socket
import sys
import uuid
from pathlib import Path

from twin.core.errors import TwinError

_KEEP = re.compile(r"[^A-Za-z0-9_-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME_CHARS = 120


def store_name(name: str, what: str = "scenario name") -> str:
    """The file-name stem for `name`: [A-Za-z0-9_-] kept, anything else `_`; path-like or
    control-character names refused (they would write outside results/ or break later)."""
    if not isinstance(name, str) or not name.strip():
        raise TwinError(f"{what} {name!r} is empty; give the scenario a name of letters, "
                        "digits, '_' or '-' (or pass --out)")
    if _CONTROL.search(name):
        raise TwinError(f"{what} {name!r} holds a control character (newline, NUL, ...); "
                        "allowed: letters, digits, '_' and '-' (or pass --out)")
    if "/" in name or "\\" in name or ".." in name or Path(name).is_absolute():
        raise TwinError(f"{what} {name!r} is a path; results go to results/<name>.zarr, so "
                        "the name may hold letters, digits, '_' and '-' only (or pass --out "
                        "to choose where the store goes)")
    slug = _KEEP.sub("_", name.strip()).strip("_")
    if not slug:
        raise TwinError(f"{what} {name!r} has no letter or digit to name a file with; "
                        "allowed: letters, digits, '_' and '-' (or pass --out)")
    return slug[:MAX_NAME_CHARS]


def default_store(name: str, results_dir: Path, suffix: str = ".zarr",
                  what: str = "scenario name") -> Path:
    """results_dir/<store_name(name)><suffix>."""
    return Path(results_dir) / f"{store_name(name, what)}{suffix}"


def check_out(path: str | Path, flag: str = "--out") -> Path:
    """A user's output path, refused when the operating system could not name it."""
    text = os.fspath(path)
    if not text or _CONTROL.search(text):
        raise TwinError(f"{flag} {text!r}: a path may not be empty or hold control characters "
                        "(newline, NUL)")
    p = Path(text)
    for parent in (p.parent, *p.parent.parents):
        if parent.exists() and not parent.is_dir():
            raise TwinError(f"{flag} {text}: {parent} is a file, not a folder")
    return p


def temp_beside(path: Path, tag: str = "tmp") -> Path:
    """A fresh project-owned name in `path`'s folder (hidden; pid and random part unique)."""
    return path.with_name(f".{path.name}.twin-{tag}-{os.getpid()}-{uuid.uuid4().hex[:12]}")


def staging(path: Path) -> Path:
    """Where a long job (sweep, calibration) builds the store that will replace the
    finished one at `path`: a fixed project-owned name, so `--resume` finds it (one writer
    at a time, under the store's lock)."""
    return path.with_name(f".{path.name}.twin-new")


def is_temp_name(name: str) -> bool:
    """True for names `temp_beside` makes (so listings can skip them)."""
    return name.startswith(".") and ".twin-" in name


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(new: Path, path: Path) -> Path:
    """Put the complete store `new` at `path`; an old store there is deleted only once the
    new one is in place (a crash in between leaves it under a `.twin-old-` name)."""
    if not path.exists():
        new.rename(path)
        return path
    if _exchange(new, path):
        shutil.rmtree(new)  # now the old store
        return path
    old = temp_beside(path, "old")
    path.rename(old)
    new.rename(path)
    shutil.rmtree(old)
    return path


def store_kind(path: Path) -> str | None:
    """The `kind` attribute of a twin store (run, sweep, calibration), or None when `path`
    is not a twin store."""
    meta = path / "zarr.json"
    if not path.is_dir() or not meta.is_file():
        return None
    try:
        attrs = json.loads(meta.read_text(encoding="utf-8", errors="replace")).get(
            "attributes", {})
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(attrs, dict) or "twin_version" not in attrs:
        return None
    return str(attrs.get("kind", "run"))


# --------------------------------------------------------------------------------------
# One writer per store
# --------------------------------------------------------------------------------------
def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".twin-lock")


class StoreLock:
    """An exclusive lock on a store for one driver (sweep, calibration).

    `fcntl.flock` on `<store>.twin-lock`: held while the process lives and released by the
    kernel when it dies, so a killed driver never blocks the next one. The file names the
    holder (pid, host, start, command) for the message a second driver gets. (flock is
    per host: on a network file system shared by several hosts, run one driver per store.)
    """

    def __init__(self, store: Path, what: str = "store"):
        self.store = Path(store)
        self.path = lock_path(self.store)
        self.what = what
        self._fd: int | None = None
        self.took_over: dict | None = None  # the stale holder, when its lock was taken over

    def acquire(self) -> StoreLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(20):  # the file may be replaced under us by a releasing holder
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise TwinError(f"{self.store}: another {self.what} driver is writing it "
                                f"({_describe(holder)}); wait for it to end, or stop it "
                                "(a killed driver's lock is taken over)") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            holder = _read_holder(fd)
            if holder and holder.get("pid") != os.getpid():
                self.took_over = holder
                print(f"twin: note: {self.store}: took over the lock of a {self.what} driver "
                      f"that is no longer running ({_describe(holder)})", file=sys.stderr)
            me = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "command": " ".join(sys.argv)[:300], "twin_lock": 1}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode(), 0)
            self._fd = fd
            return self
        raise TwinError(f"{self.path}: could not take the lock (it kept being replaced)")

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._fd)  # closing releases the flock
        self._fd = None

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> dict:
    try:
        doc = json.loads(os.pread(fd, 4096, 0).decode("utf-8", errors="replace") or "{}")
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _describe(holder: dict) -> str:
    if not holder:
        return "holder unknown"
    return (f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')}, started "
            f"{holder.get('started', '?')}")
