"""Run benchmarks: `python -m benchmarks NAME [NAME ...] [--json] [--quick]` (NAME or `all`)."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

import benchmarks


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)
                  if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("names", nargs="+", help="benchmark names, or 'all': " + ", ".join(available()))
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = p.parse_args(argv)
    names = available() if args.names == ["all"] else args.names
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; available: {', '.join(available())}",
              file=sys.stderr)
        return 2
    for name in names:
        for row in importlib.import_module(f"benchmarks.{name}").run(quick=args.quick):
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print(f"{row['benchmark']:<12} {row['figure']:<32} {row['value']:>14.6g} "
                      f"{row['unit']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
