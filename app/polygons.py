"""GeoJSON (Multi)Polygons as they arrive from GIS tools: checked, moved to WGS-84, simplified.

Pure functions over GeoJSON geometries ([lng, lat] positions). A problem is answered as an
English msgid with its parameters (translated where it is shown), never raised, so an import
can report every feature's problem at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from app import geo
from app.i18n import N_

Problem = tuple[str, dict]
Position = tuple[float, float]

# Positions one area's boundary may have (a detailed street outline has a few thousand).
MAX_POSITIONS = 20_000
# Segment pairs compared to find a ring that crosses itself: a sweep over x compares a few per
# segment for real outlines; a hostile zigzag could need n², so the check stops at this budget.
MAX_PAIR_CHECKS = 300_000
# Stored positions keep 7 decimals (about 1 cm): more is noise from the datum conversion.
DECIMALS = 7
# Drawing copies drop detail finer than about 2 m.
DISPLAY_TOLERANCE_DEG = 0.00002
# Douglas-Peucker is n log n on real outlines but n² on a zigzag: past this many distance
# computations a ring is thinned by stride instead (still a fair drawing, found in bounded time).
MAX_SIMPLIFY_WORK = 600_000
# Positions a ring thinned by stride keeps.
STRIDE_KEEP = 2_000


def _number(value: object) -> bool:
    """A finite JSON number of sane size (a 4,000-digit integer is no degree and no crash)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -1000 <= value <= 1000
    return isinstance(value, float) and math.isfinite(value)


def _position_problem(value: object) -> Problem | None:
    if not isinstance(value, list) or len(value) not in (2, 3) or not all(map(_number, value)):
        return N_("a position is [lng, lat] with finite numbers"), {}
    if not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
        return N_("position %(position)s is outside [-180..180, -90..90]"), {
            "position": f"[{value[0]}, {value[1]}]"
        }
    return None


def polygons_of(geometry: dict) -> list:
    """The polygons (each a list of rings) of a Polygon or MultiPolygon."""
    coords = geometry["coordinates"]
    return [coords] if geometry["type"] == "Polygon" else coords


def _shape_problem(geometry: object) -> Problem | None:
    """Structure: a Polygon or MultiPolygon of closed rings of valid positions, of a sane size."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return N_("the geometry must be a Polygon or MultiPolygon"), {}
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        return N_("the geometry has no coordinates"), {}
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    count = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return N_("a polygon is a non-empty list of rings"), {}
        for ring in polygon:
            if not isinstance(ring, list):
                return N_("a ring is a list of at least 4 [lng, lat] positions"), {}
            count += len(ring)
            if count > MAX_POSITIONS:
                return N_("more than %(n)s positions"), {"n": MAX_POSITIONS}
            for position in ring:
                problem = _position_problem(position)
                if problem:
                    return problem
            if len(ring) < 4:
                return N_("a ring is a list of at least 4 [lng, lat] positions"), {}
            if ring[0][:2] != ring[-1][:2]:
                return N_("a ring must end where it starts"), {}
    return None


def _clean(ring: Sequence[Sequence[float]]) -> list[Position]:
    """The ring's positions without repeats of the previous one (the closing one kept)."""
    out: list[Position] = []
    for p in ring:
        point = (float(p[0]), float(p[1]))
        if not out or out[-1] != point:
            out.append(point)
    return out


def _area2(ring: Sequence[Position]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))


def _orient(a: Position, b: Position, c: Position) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: Position, b: Position, p: Position) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_meet(a: Position, b: Position, c: Position, d: Position) -> bool:
    """True when segments ab and cd share any point (crossing, touching or overlapping)."""
    d1, d2 = _orient(c, d, a), _orient(c, d, b)
    d3, d4 = _orient(a, b, c), _orient(a, b, d)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and d1 and d2 and d3 and d4:
        return True
    return (
        (d1 == 0 and _on_segment(c, d, a))
        or (d2 == 0 and _on_segment(c, d, b))
        or (d3 == 0 and _on_segment(a, b, c))
        or (d4 == 0 and _on_segment(a, b, d))
    )


def _crossing(rings: list[list[Position]]) -> Problem | None:
    """Any two non-adjacent edges of a polygon's rings that meet: a sweep along x."""
    edges = []
    for r, ring in enumerate(rings):
        last = len(ring) - 2
        for i in range(len(ring) - 1):
            a, b = ring[i], ring[i + 1]
            edges.append((min(a[0], b[0]), max(a[0], b[0]), r, i, last, a, b))
    edges.sort(key=lambda edge: edge[0])
    active: list[tuple] = []
    checks = 0
    for edge in edges:
        xmin, _, r, i, last, a, b = edge
        active = [e for e in active if e[1] >= xmin]
        for other in active:
            checks += 1
            if checks > MAX_PAIR_CHECKS:
                return N_("the boundary is too intricate to check; simplify it first"), {}
            _, _, r2, j, _, c, d = other
            if r == r2 and (abs(i - j) == 1 or {i, j} == {0, last}):
                continue  # neighbours share a vertex
            if segments_meet(a, b, c, d):
                return N_("a ring crosses itself or another ring near %(position)s"), {
                    "position": f"[{a[0]:.6f}, {a[1]:.6f}]"
                }
        active.append(edge)
    return None


def geometry_problem(geometry: object) -> Problem | None:
    """Why a GeoJSON geometry cannot be an area's boundary (msgid, params), or None."""
    problem = _shape_problem(geometry)
    if problem:
        return problem
    for polygon in polygons_of(geometry):
        rings = [_clean(ring) for ring in polygon]
        if any(len(ring) < 4 for ring in rings):
            return N_("a ring encloses no area"), {}
        problem = _crossing(rings)
        if problem:
            return problem
        if any(_area2(ring) == 0 for ring in rings):
            return N_("a ring encloses no area"), {}
    return None


def to_wgs84(geometry: dict, coord_system: str) -> dict:
    """A checked (Multi)Polygon moved from coord_system to WGS-84, positions rounded, heights dropped."""

    def move(position: Sequence[float]) -> list[float]:
        lat, lng = geo.to_wgs84(position[1], position[0], coord_system)
        return [round(lng, DECIMALS), round(lat, DECIMALS)]

    polygons = [[[move(p) for p in ring] for ring in polygon] for polygon in polygons_of(geometry)]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def rough_count(geometry: object) -> int:
    """How many positions a geometry seems to hold, whatever junk it is (0 for no list of rings)."""
    if not isinstance(geometry, dict) or not isinstance(geometry.get("coordinates"), list):
        return 0
    coords = geometry["coordinates"]
    polygons = [coords] if geometry.get("type") == "Polygon" else coords
    return sum(
        len(ring)
        for polygon in polygons
        if isinstance(polygon, list)
        for ring in polygon
        if isinstance(ring, list)
    )


def positions(geometry: dict) -> Iterator[Sequence[float]]:
    for polygon in polygons_of(geometry):
        for ring in polygon:
            yield from ring


def _by_stride(points: list) -> list:
    step = max(1, math.ceil((len(points) - 1) / STRIDE_KEEP))
    return points[:-1:step] + [points[-1]]


def _douglas_peucker(points: list, tolerance: float) -> list:
    """The points kept by Douglas-Peucker (iterative, so a long ring cannot exhaust the stack);
    past MAX_SIMPLIFY_WORK distance computations, the ring thinned by stride."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    work = 0
    while stack:
        first, last = stack.pop()
        work += last - first
        if work > MAX_SIMPLIFY_WORK:
            return _by_stride(points)
        (x1, y1), (x2, y2) = points[first][:2], points[last][:2]
        length = math.hypot(x2 - x1, y2 - y1)
        far, index = 0.0, -1
        for k in range(first + 1, last):
            x, y = points[k][0], points[k][1]
            if length:
                dist = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            else:
                dist = math.hypot(x - x1, y - y1)
            if dist > far:
                far, index = dist, k
        if far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify(geometry: dict | None, tolerance: float) -> dict | None:
    """A lighter copy of a stored boundary for drawing; a ring too small to simplify stays whole."""
    if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None

    def ring_of(ring: list) -> list:
        if len(ring) <= 8:
            return ring
        kept = _douglas_peucker(ring, tolerance)
        return kept if len(kept) >= 4 else ring

    polygons = [[ring_of(ring) for ring in polygon] for polygon in polygons_of(geometry)]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def label_point(geometry: dict | None) -> tuple[float, float] | None:
    """(lat, lng) of the middle of the largest polygon's outer ring's bounding box, for a name."""
    if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    rings = [polygon[0] for polygon in polygons_of(geometry) if polygon]
    ring = max(rings, key=lambda r: abs(_area2([(p[0], p[1]) for p in r])), default=None)
    if not ring:
        return None
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (min(ys) + max(ys)) / 2, (min(xs) + max(xs)) / 2
