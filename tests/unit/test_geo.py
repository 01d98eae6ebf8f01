"""Tests for app.geo: coordinate conversion, geodesic distance, point-in-polygon."""

import itertools
import math
import random

import pytest

from app.geo import (
    COORD_SYSTEMS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    distance_m,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    point_in_polygon,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

DEG_TOL = 1e-6  # ~0.1 m; published vectors are compared at this precision
ROUND_TRIP_TOL_M = 0.01

# WGS-84 -> GCJ-02 vectors as (wgs_lat, wgs_lng, gcj_lat, gcj_lng).
# The first three are the test table of googollee/eviltransform
# (python/test.py); the last is wandergis/coordtransform's test/app.js example
# wgs84togcj02(116.404, 39.915), re-ordered from its (lng, lat) to (lat, lng).
WGS_TO_GCJ_VECTORS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
    (39.915, 116.404, 39.91640428150164, 116.41024449916938),  # Beijing
]

# wandergis/coordtransform test/app.js: gcj02tobd09(116.404, 39.915), (lat, lng).
GCJ_TO_BD_VECTOR = (39.915, 116.404, 39.92133699351021, 116.41036949371029)

# wandergis/coordtransform's *one-step* inverses for the same input point:
# gcj02towgs84(116.404, 39.915) and bd09togcj02(116.404, 39.915).  Ours are
# exact inverses, so they must be close to, but measurably not equal to, these.
ONE_STEP_GCJ_TO_WGS = (39.91359571849836, 116.39775550083061)
ONE_STEP_BD_TO_GCJ = (39.90865673957631, 116.39762729119315)

# A grid over Ningbo (lat 29.85-29.98, lng 121.45-121.60) and one over China.
NINGBO_GRID = [
    (29.85 + 0.13 * i / 5, 121.45 + 0.15 * j / 5) for i, j in itertools.product(range(6), range(6))
]
CHINA_GRID = list(
    itertools.product(range(18, 54, 5), range(75, 135, 6))  # 8 lats x 10 lngs
)

NINGBO_SITE = (29.8683, 121.5440)  # central Ningbo, WGS-84
OUTSIDE_CHINA = [
    (51.5007, -0.1246),  # London
    (40.6892, -74.0445),  # New York
    (-33.8568, 151.2153),  # Sydney
    (35.6586, 139.7454),  # Tokyo (east of the box)
    (0.0, 0.0),
]


def test_coord_systems_constant():
    assert COORD_SYSTEMS == ("wgs84", "gcj02", "bd09")


# --- out_of_china -------------------------------------------------------------


@pytest.mark.parametrize(("lat", "lng"), [NINGBO_SITE, (39.9, 116.4), (22.5, 114.0)])
def test_points_in_china_are_inside(lat, lng):
    assert out_of_china(lat, lng) is False


@pytest.mark.parametrize(("lat", "lng"), OUTSIDE_CHINA)
def test_points_abroad_are_outside(lat, lng):
    assert out_of_china(lat, lng) is True


def test_out_of_china_takes_lat_first():
    # Ningbo with lat and lng swapped is nowhere near China.
    lat, lng = NINGBO_SITE
    assert out_of_china(lng, lat) is True


# --- published vectors ----------------------------------------------------------


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), WGS_TO_GCJ_VECTORS)
def test_wgs84_to_gcj02_matches_published_vectors(wlat, wlng, glat, glng):
    lat, lng = wgs84_to_gcj02(wlat, wlng)
    assert lat == pytest.approx(glat, abs=DEG_TOL)
    assert lng == pytest.approx(glng, abs=DEG_TOL)


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), WGS_TO_GCJ_VECTORS)
def test_gcj02_to_wgs84_inverts_published_vectors(wlat, wlng, glat, glng):
    # eviltransform's own "exact" inverse only promises 0.5 m.
    assert distance_m(*gcj02_to_wgs84(glat, glng), wlat, wlng) < ROUND_TRIP_TOL_M


def test_gcj02_to_bd09_matches_published_vector():
    glat, glng, blat, blng = GCJ_TO_BD_VECTOR
    lat, lng = gcj02_to_bd09(glat, glng)
    assert lat == pytest.approx(blat, abs=DEG_TOL)
    assert lng == pytest.approx(blng, abs=DEG_TOL)


def test_bd09_to_gcj02_inverts_published_vector():
    glat, glng, blat, blng = GCJ_TO_BD_VECTOR
    assert distance_m(*bd09_to_gcj02(blat, blng), glat, glng) < ROUND_TRIP_TOL_M


def test_wgs84_to_bd09_composes_gcj_and_bd():
    lat, lng = NINGBO_SITE
    assert wgs84_to_bd09(lat, lng) == gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))


@pytest.mark.parametrize(
    ("inverse", "one_step"),
    [(gcj02_to_wgs84, ONE_STEP_GCJ_TO_WGS), (bd09_to_gcj02, ONE_STEP_BD_TO_GCJ)],
)
def test_inverses_are_iterative_not_one_step(inverse, one_step):
    # The one-step formulas are centimetres-to-metres off; ours must differ
    # from them by more than our round-trip tolerance yet stay close.
    gap = distance_m(*inverse(39.915, 116.404), *one_step)
    assert ROUND_TRIP_TOL_M < gap < 5.0


# --- round trips ---------------------------------------------------------------


@pytest.mark.parametrize(("lat", "lng"), NINGBO_GRID + CHINA_GRID)
def test_wgs_gcj_round_trip_is_sub_centimetre(lat, lng):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng))
    assert distance_m(lat, lng, *back) < ROUND_TRIP_TOL_M


@pytest.mark.parametrize(("lat", "lng"), NINGBO_GRID + CHINA_GRID)
def test_wgs_bd_round_trip_is_sub_centimetre(lat, lng):
    back = bd09_to_wgs84(*wgs84_to_bd09(lat, lng))
    assert distance_m(lat, lng, *back) < ROUND_TRIP_TOL_M


@pytest.mark.parametrize("system", COORD_SYSTEMS)
@pytest.mark.parametrize(("lat", "lng"), NINGBO_GRID[::7] + CHINA_GRID[::9])
def test_to_and_from_wgs84_round_trip(system, lat, lng):
    back = to_wgs84(*from_wgs84(lat, lng, system), system)
    assert distance_m(lat, lng, *back) < ROUND_TRIP_TOL_M


# --- the Ningbo offset this module exists to fix ---------------------------------


@pytest.mark.parametrize(("lat", "lng"), NINGBO_GRID)
def test_raw_gcj_shift_in_ningbo_is_hundreds_of_metres(lat, lng):
    assert 300.0 < distance_m(lat, lng, *wgs84_to_gcj02(lat, lng)) < 800.0


@pytest.mark.parametrize(("system", "min_off_m"), [("gcj02", 400.0), ("bd09", 900.0)])
def test_site_picked_from_chinese_map_is_fixed_by_conversion(system, min_off_m):
    # What AMap (gcj02) or Baidu (bd09) shows for the true WGS-84 site.
    map_lat, map_lng = from_wgs84(*NINGBO_SITE, system)
    # Stored raw, the site would be hundreds of metres off ...
    assert distance_m(*NINGBO_SITE, map_lat, map_lng) > min_off_m
    # ... converted, it is back on the spot.
    fixed = to_wgs84(map_lat, map_lng, system)
    assert distance_m(*NINGBO_SITE, *fixed) < ROUND_TRIP_TOL_M


# --- outside China and the identity system ------------------------------------


@pytest.mark.parametrize(("lat", "lng"), OUTSIDE_CHINA)
def test_gcj_shift_leaves_points_abroad_unchanged(lat, lng):
    assert wgs84_to_gcj02(lat, lng) == (lat, lng)
    assert gcj02_to_wgs84(lat, lng) == (lat, lng)
    assert to_wgs84(lat, lng, "gcj02") == (lat, lng)
    assert from_wgs84(lat, lng, "gcj02") == (lat, lng)


def test_wgs84_system_is_identity():
    assert to_wgs84(*NINGBO_SITE, "wgs84") == NINGBO_SITE
    assert from_wgs84(*NINGBO_SITE, "wgs84") == NINGBO_SITE


@pytest.mark.parametrize("bad", ["utm", "WGS84", "gcj-02", ""])
@pytest.mark.parametrize("func", [to_wgs84, from_wgs84])
def test_unknown_coord_system_raises_naming_it(func, bad):
    with pytest.raises(ValueError, match=f"unknown coordinate system {bad!r}"):
        func(*NINGBO_SITE, bad)


# --- distance_m ----------------------------------------------------------------


def test_distance_matches_geopy_documented_value():
    # geopy docs: geodesic(newport_ri, cleveland_oh).miles == 538.390445368
    expected_m = 538.390445368 * 1609.344
    got = distance_m(41.49008, -71.312796, 41.499498, -81.695391)
    assert got == pytest.approx(expected_m, abs=0.001)


def test_distance_of_one_equatorial_degree_is_a_times_pi_over_180():
    # Along the equator the geodesic is the equator: a * 1 degree in radians.
    assert distance_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(6378137.0 * math.pi / 180.0, abs=1e-6)


def test_distance_is_symmetric_and_zero_for_same_point():
    a, b = NINGBO_SITE, (29.98, 121.60)
    assert distance_m(*a, *b) == pytest.approx(distance_m(*b, *a), abs=1e-9)
    assert distance_m(*a, *a) == 0.0


# --- point_in_polygon ------------------------------------------------------------


def _ring(lng0, lat0, lng1, lat1):
    """Closed GeoJSON rectangle ring, positions as [lng, lat]."""
    return [[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]


# A 0.10 x 0.02 degree box over Ningbo (wide in lng, narrow in lat, so a
# lat/lng mix-up is caught), with a hole in its middle.
BOX_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        _ring(121.50, 29.86, 121.60, 29.88),
        _ring(121.54, 29.865, 121.56, 29.875),
    ],
}
# A "U": the notch between the arms is inside the bounding box but outside.
U_SHAPE = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.50, 29.90],
            [121.56, 29.90],
            [121.56, 29.96],
            [121.54, 29.96],
            [121.54, 29.92],
            [121.52, 29.92],
            [121.52, 29.96],
            [121.50, 29.96],
            [121.50, 29.90],
        ]
    ],
}
MULTI = {
    "type": "MultiPolygon",
    "coordinates": [
        [_ring(121.45, 29.85, 121.47, 29.87)],
        BOX_WITH_HOLE["coordinates"],
    ],
}


@pytest.mark.parametrize(
    ("geojson", "lat", "lng", "expected"),
    [
        (BOX_WITH_HOLE, 29.862, 121.51, True),  # in the box, beside the hole
        (BOX_WITH_HOLE, 29.87, 121.55, False),  # in the hole
        (BOX_WITH_HOLE, 29.87, 121.65, False),  # east of the box
        (BOX_WITH_HOLE, 29.90, 121.51, False),  # north of the box
        (BOX_WITH_HOLE, 121.51, 29.862, False),  # lat/lng swapped
        (U_SHAPE, 29.91, 121.53, True),  # in the base of the U
        (U_SHAPE, 29.95, 121.51, True),  # in the left arm
        (U_SHAPE, 29.95, 121.53, False),  # in the notch
        (MULTI, 29.86, 121.46, True),  # first part
        (MULTI, 29.862, 121.59, True),  # second part
        (MULTI, 29.87, 121.55, False),  # hole of the second part
        (MULTI, 29.86, 121.48, False),  # between the parts
    ],
)
def test_point_in_polygon(geojson, lat, lng, expected):
    assert point_in_polygon(lat, lng, geojson) is expected


def test_point_in_polygon_accepts_unclosed_ring():
    open_ring = {"type": "Polygon", "coordinates": [_ring(121.50, 29.86, 121.60, 29.88)[:-1]]}
    assert point_in_polygon(29.87, 121.51, open_ring) is True


@pytest.mark.parametrize("kind", ["Point", "LineString", "Feature", None])
def test_point_in_polygon_rejects_other_geometry(kind):
    with pytest.raises(ValueError, match="unsupported GeoJSON type"):
        point_in_polygon(29.87, 121.55, {"type": kind, "coordinates": [121.55, 29.87]})


def _geopy_metres(lat1, lng1, lat2, lng2):
    from geopy.distance import geodesic

    return geodesic((lat1, lng1), (lat2, lng2)).meters


def test_distance_is_geopys_geodesic_bit_for_bit():
    """The geodesic solver is called directly (one instance, built once): the metres are exactly
    those geopy's geodesic() gave, near and far, so no stored distance or verdict moves."""
    rng = random.Random(15)
    pairs = [((0.0, 0.0), (0.0, 0.0)), ((90.0, 0.0), (-90.0, 0.0)), ((0.0, 0.0), (0.0, 180.0))]
    for _ in range(5000):
        a = (rng.uniform(-89.9, 89.9), rng.uniform(-180, 180))
        near = (a[0] + rng.uniform(-0.002, 0.002), a[1] + rng.uniform(-0.002, 0.002))
        pairs += [(a, near), (a, (rng.uniform(-90, 90), rng.uniform(-180, 180)))]
    for a, b in pairs:
        assert distance_m(*a, *b) == _geopy_metres(*a, *b), (a, b)


def test_the_spherical_distance_is_within_0_6_percent_of_the_geodesic_one():
    from app.geo import spherical_m

    rng = random.Random(16)
    for _ in range(20000):
        a = (rng.uniform(-89, 89), rng.uniform(-180, 180))
        scale = rng.choice((0.001, 0.1, 5.0, 60.0))
        b = (
            max(-89.0, min(89.0, a[0] + rng.uniform(-scale, scale))),
            a[1] + rng.uniform(-scale, scale),
        )
        exact = distance_m(*a, *b)
        assert abs(spherical_m(*a, *b) - exact) <= 0.006 * exact + 1e-9, (a, b)
