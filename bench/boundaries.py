"""Boundary import checks: how long checking, converting and simplifying a GeoJSON boundary takes,
against parsing the same GeoJSON text (the baseline, measured in the same run). CPU only, no database.

    .venv/bin/python bench/boundaries.py [--repeats 5]

Rings are street-like outlines (a wobbly circle with a vertex every ~1-5 m); the hostile one is a
zigzag whose teeth all overlap in x, the worst case of the sweep, stopped by its pair budget.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import polygons  # noqa: E402


def outline(n: int) -> dict:
    ring = []
    for i in range(n):
        angle = 2 * math.pi * i / n
        radius = 0.01 * (1 + 0.05 * math.sin(7 * angle) + 0.01 * math.sin(97 * angle))
        ring.append([121.55 + radius * math.cos(angle), 29.9 + radius * math.sin(angle)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def zigzag(n: int) -> dict:
    teeth = [[121.5 + (i % 2) * 0.05, 29.9 + i * 1e-6] for i in range(n)]
    ring = [[121.45, 29.9], *teeth, [121.45, 29.9 + n * 1e-6], [121.45, 29.9]]
    return {"type": "Polygon", "coordinates": [ring]}


def timed(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'ring':<22}{'parse (base)':>14}{'check':>10}{'×':>7}{'to WGS-84':>11}{'×':>7}"
          f"{'simplify':>10}{'positions drawn':>17}")  # fmt: skip
    cases = [(f"outline {n:,}", outline(n)) for n in (1_000, 5_000, 19_999)]
    cases.append(("hostile zigzag 6,000", zigzag(6_000)))
    for name, geometry in cases:
        text = json.dumps(geometry)
        parse = timed(lambda text=text: json.loads(text), args.repeats)
        check = timed(lambda g=geometry: polygons.geometry_problem(g), args.repeats)
        convert = timed(lambda g=geometry: polygons.to_wgs84(g, "gcj02"), args.repeats)
        light = polygons.simplify(geometry, polygons.DISPLAY_TOLERANCE_DEG)
        simplify = timed(
            lambda g=geometry: polygons.simplify(g, polygons.DISPLAY_TOLERANCE_DEG), args.repeats
        )
        drawn = sum(1 for _ in polygons.positions(light))
        total = sum(1 for _ in polygons.positions(geometry))
        print(
            f"{name:<22}{parse * 1000:>12.1f}ms{check * 1000:>8.1f}ms{check / parse:>7.1f}"
            f"{convert * 1000:>9.1f}ms{convert / parse:>7.1f}{simplify * 1000:>8.1f}ms"
            f"{drawn:>8,} / {total:,}"
        )


if __name__ == "__main__":
    main()
