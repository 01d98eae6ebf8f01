"""Boundary geometry: crossings found, simplification bounded on hostile shapes."""

import math
import time

from app import polygons


def test_a_zigzag_simplifies_in_bounded_time_and_stays_a_ring():
    teeth = [[121.5 + (i % 2) * 0.05, 29.9 + i * 1e-6] for i in range(6000)]
    ring = [[121.45, 29.9], *teeth, [121.45, 29.9 + 6000e-6], [121.45, 29.9]]
    started = time.process_time()
    light = polygons.simplify({"type": "Polygon", "coordinates": [ring]}, 0.00002)
    assert time.process_time() - started < 5  # seconds of CPU; the n² walk took far longer
    kept = light["coordinates"][0]
    assert len(kept) <= polygons.STRIDE_KEEP + 2 and kept[0] == kept[-1] == ring[0]


def test_a_round_outline_keeps_its_shape_with_fewer_positions():
    ring = [
        [
            121.55 + 0.01 * math.cos(2 * math.pi * i / 4000),
            29.9 + 0.01 * math.sin(2 * math.pi * i / 4000),
        ]
        for i in range(4000)
    ]
    ring.append(ring[0])
    geometry = {"type": "Polygon", "coordinates": [ring]}
    assert polygons.geometry_problem(geometry) is None
    light = polygons.simplify(geometry, polygons.DISPLAY_TOLERANCE_DEG)["coordinates"][0]
    assert 20 < len(light) < 1000 and light[0] == light[-1]


def test_touching_and_crossing_segments():
    assert polygons.segments_meet((0, 0), (2, 2), (0, 2), (2, 0))  # crossing
    assert polygons.segments_meet((0, 0), (2, 0), (1, 0), (1, 1))  # touching
    assert not polygons.segments_meet((0, 0), (1, 0), (0, 1), (1, 1))
