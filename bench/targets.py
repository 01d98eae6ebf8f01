"""The performance targets, one row each: printed as a TARGET line, and appended to the file
BENCH_TARGETS names (bench/run_all.sh sets it and prints every row as one table at the end)."""

from __future__ import annotations

import os


def record(what: str, value: str, target: str, met: bool) -> None:
    row = (what, value, target, "met" if met else "NOT MET")
    print("TARGET " + " | ".join(row))
    path = os.environ.get("BENCH_TARGETS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write("\t".join(row) + "\n")
