"""WGS-84 / GCJ-02 / BD-09 conversion, geodesic distance, point-in-polygon.

Every function takes and returns (lat, lng) in degrees, unlike most published
GCJ-02 code, which uses (lng, lat).  GeoJSON input is the exception: its
positions are [lng, lat] as the GeoJSON spec requires.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS

COORD_SYSTEMS = ("wgs84", "gcj02", "bd09")

LatLng = tuple[float, float]
Converter = Callable[[float, float], LatLng]
Ring = Sequence[Sequence[float]]  # GeoJSON linear ring of [lng, lat]

# Krasovsky 1940 ellipsoid: the constants every published GCJ-02 implementation
# uses; substituting WGS-84's semi-major axis shifts results by about 1 cm.
_A = 6378245.0
_EE = 0.00669342162296594323
# Baidu's BD-09 perturbation frequency (3000 * pi / 180 radians per degree).
_X_PI = math.pi * 3000.0 / 180.0

# Fixed-point inverses stop at 1e-12 degrees (well under a micrometre); the
# forward maps are near-identity, so each step gains ~3 digits and a handful
# of iterations suffice; the cap only guards against non-finite input.
_INVERSE_TOLERANCE_DEG = 1e-12
_INVERSE_MAX_ITERATIONS = 30


def out_of_china(lat: float, lng: float) -> bool:
    """Return True when the point lies outside China's GCJ-02 bounding box."""
    # Rectangle from wandergis/coordtransform: a coarse box, not the border,
    # so neighbouring countries inside it are shifted too, as published code does.
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _gcj_offset(lat: float, lng: float) -> LatLng:
    """Return the GCJ-02 (dlat, dlng) shift in degrees for a WGS-84 point."""
    x, y = lng - 105.0, lat - 35.0
    sin, pi = math.sin, math.pi
    # The published obfuscation polynomial; it yields offsets in metres.
    wave = 20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
    dlat += 0.2 * math.sqrt(abs(x)) + wave * 2.0 / 3.0
    dlat += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y
    dlng += 0.1 * math.sqrt(abs(x)) + wave * 2.0 / 3.0
    dlng += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlng += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    # Metres to degrees on the Krasovsky ellipsoid.
    rad_lat = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * pi)
    return dlat, dlng


def _invert(forward: Converter, lat: float, lng: float) -> LatLng:
    """Solve forward(p) == (lat, lng) for p by fixed-point iteration."""
    # Published inverses take one step and are off by up to a few metres;
    # iterating makes round trips exact to well below a millimetre.
    guess_lat, guess_lng = lat, lng
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fwd_lat, fwd_lng = forward(guess_lat, guess_lng)
        err_lat, err_lng = fwd_lat - lat, fwd_lng - lng
        guess_lat, guess_lng = guess_lat - err_lat, guess_lng - err_lng
        if max(abs(err_lat), abs(err_lng)) < _INVERSE_TOLERANCE_DEG:
            break
    return guess_lat, guess_lng


def _wgs84_to_gcj02_unchecked(lat: float, lng: float) -> LatLng:
    """Apply the GCJ-02 shift without the out-of-China test."""
    dlat, dlng = _gcj_offset(lat, lng)
    return lat + dlat, lng + dlng


def wgs84_to_gcj02(lat: float, lng: float) -> LatLng:
    """Convert WGS-84 to GCJ-02 (AMap/Tencent); points outside China are unchanged."""
    if out_of_china(lat, lng):
        return lat, lng
    return _wgs84_to_gcj02_unchecked(lat, lng)


def gcj02_to_wgs84(lat: float, lng: float) -> LatLng:
    """Convert GCJ-02 to WGS-84 (exact iterative inverse); outside China unchanged."""
    if out_of_china(lat, lng):
        return lat, lng
    # Invert the unchecked shift so the solve stays smooth near the box edge.
    return _invert(_wgs84_to_gcj02_unchecked, lat, lng)


def gcj02_to_bd09(lat: float, lng: float) -> LatLng:
    """Convert GCJ-02 to BD-09 (Baidu)."""
    # Applied everywhere, as in the published code: only the GCJ shift is
    # limited to China.
    z = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> LatLng:
    """Convert BD-09 to GCJ-02 by exact iterative inversion of gcj02_to_bd09."""
    return _invert(gcj02_to_bd09, lat, lng)


def wgs84_to_bd09(lat: float, lng: float) -> LatLng:
    """Convert WGS-84 to BD-09 via GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))


def bd09_to_wgs84(lat: float, lng: float) -> LatLng:
    """Convert BD-09 to WGS-84 via GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lng))


_TO_WGS84: dict[str, Converter] = {
    "wgs84": lambda lat, lng: (lat, lng),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: dict[str, Converter] = {
    "wgs84": lambda lat, lng: (lat, lng),
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def _lookup(table: Mapping[str, Converter], coord_system: str) -> Converter:
    """Return the converter for coord_system or raise ValueError naming it."""
    try:
        return table[coord_system]
    except (KeyError, TypeError):
        expected = ", ".join(COORD_SYSTEMS)
        msg = f"unknown coordinate system {coord_system!r}; expected {expected}"
        raise ValueError(msg) from None


def to_wgs84(lat: float, lng: float, coord_system: str) -> LatLng:
    """Convert a point given in coord_system to WGS-84."""
    return _lookup(_TO_WGS84, coord_system)(lat, lng)


def from_wgs84(lat: float, lng: float, coord_system: str) -> LatLng:
    """Convert a WGS-84 point to coord_system."""
    return _lookup(_FROM_WGS84, coord_system)(lat, lng)


# geopy's geodesic() builds a new Geodesic (and parses its points) on every call; the same
# Karney solution on one instance built once, on geopy's ellipsoid in kilometres and scaled as
# geopy scales it, gives the same metres bit for bit, about twice as fast (a check-in measures
# one or two distances).
_WGS84 = Geodesic(ELLIPSOIDS["WGS-84"][0], ELLIPSOIDS["WGS-84"][2])
_DISTANCE = Geodesic.DISTANCE


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Return the WGS-84 geodesic distance in metres (Karney's solution, as geopy's geodesic)."""
    kilometres = _WGS84.Inverse(float(lat1), float(lng1), float(lat2), float(lng2), _DISTANCE)
    return kilometres["s12"] * 1000


_EARTH_RADIUS_M = 6_371_008.8  # the mean radius


def spherical_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The haversine distance on a sphere of the Earth's mean radius: within 0.6 % of
    distance_m, for a quick bound (never a distance to store or show)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _in_ring(lat: float, lng: float, ring: Ring) -> bool:
    """Ray-cast along +lng; ring positions are GeoJSON [lng, lat]."""
    inside = False
    for i in range(len(ring)):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[i - 1][0], ring[i - 1][1]
        # Half-open test on lat so a vertex on the ray is counted once.
        if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _in_polygon(lat: float, lng: float, rings: Sequence[Ring]) -> bool:
    """Inside the exterior ring and outside every hole."""
    if not rings or not _in_ring(lat, lng, rings[0]):
        return False
    return not any(_in_ring(lat, lng, hole) for hole in rings[1:])


def point_in_polygon(lat: float, lng: float, geojson: Mapping[str, Any]) -> bool:
    """Return True if the point is inside a GeoJSON (Multi)Polygon, holes excluded."""
    # Planar test on raw degrees: fine for site-sized areas away from the
    # antimeridian; points exactly on an edge may fall either way.
    kind = geojson.get("type")
    coords = geojson.get("coordinates") or []
    if kind == "Polygon":
        return _in_polygon(lat, lng, coords)
    if kind == "MultiPolygon":
        return any(_in_polygon(lat, lng, polygon) for polygon in coords)
    msg = f"unsupported GeoJSON type {kind!r}; expected Polygon or MultiPolygon"
    raise ValueError(msg)
