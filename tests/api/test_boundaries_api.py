"""POST /areas/boundaries: GeoJSON in any datum, matched by code or name, all or none, scoped."""

import io
import json

import pytest

from app import geo
from app.extensions import db
from app.models import AuditEvent
from tests import factories


def square(lng: float, lat: float, size: float = 0.004) -> list:
    return [
        [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    ]


def feature(properties, coordinates, kind="Polygon") -> dict:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def in_datum(rings: list, datum: str) -> list:
    """The same WGS-84 rings written in another datum, as AMap or Baidu would export them."""
    return [
        [list(reversed(geo.from_wgs84(lat, lng, datum))) for lng, lat in ring] for ring in rings
    ]


def test_gcj02_grids_by_name_are_stored_in_wgs84_and_read_back(api, district):
    grid1, grid2 = district.a.grids
    wgs = square(121.55, 29.90)
    body = collection(
        feature({"name": grid1.name}, in_datum(wgs, "gcj02")),
        feature({"name": grid2.name, "parent": district.a.community.name}, square(121.56, 29.90)),
    )
    response = api.post(
        "/areas/boundaries?coord_system=gcj02", user=district.a.coordinator, json=body
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"updated": 2, "errors": [], "error_count": 0}
    stored = api.get(f"/areas/{grid1.id}", user=district.a.coordinator).get_json()["boundary"]
    assert stored["type"] == "Polygon"
    for (lng, lat), (want_lng, want_lat) in zip(stored["coordinates"][0], wgs[0], strict=True):
        assert abs(lng - want_lng) < 1e-6 and abs(lat - want_lat) < 1e-6
    # The second, given in GCJ-02 too, moved by the datum shift (hundreds of metres here).
    second = api.get(f"/areas/{grid2.id}", user=district.a.coordinator).get_json()["boundary"]
    assert abs(second["coordinates"][0][0][0] - 121.56) > 0.003
    assert db.session.query(AuditEvent).filter_by(action="area.boundary").count() == 2
    listed = api.get("/areas?level=grid", user=district.a.coordinator).get_json()["items"]
    assert all("boundary" not in item and "has_boundary" in item for item in listed)


def test_a_file_field_by_code_multipolygon_and_bd09(api, district):
    grid = district.b.grids[0]
    grid.code = "G-330-0001"
    db.session.commit()
    rings = in_datum(square(121.55, 29.95), "bd09")
    body = collection(
        feature({"code": "G-330-0001"}, [rings, square(121.6, 29.95)], "MultiPolygon")
    )
    data = {"file": (io.BytesIO(json.dumps(body).encode()), "grids.geojson")}
    response = api.post(
        "/areas/boundaries?coord_system=bd09",
        user=district.admin,
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    db.session.refresh(grid)
    first = grid.boundary["coordinates"][0][0][0]
    assert grid.boundary["type"] == "MultiPolygon"
    assert abs(first[0] - 121.55) < 1e-6 and abs(first[1] - 29.95) < 1e-6


def test_every_bad_feature_is_reported_and_nothing_is_written(api, district):
    grid1, grid2 = district.a.grids
    bowtie = [[[121.5, 29.9], [121.51, 29.91], [121.51, 29.9], [121.5, 29.91], [121.5, 29.9]]]
    hole_crossing = [square(121.5, 29.9, 0.01)[0], square(121.505, 29.905, 0.01)[0]]
    body = collection(
        feature({"name": grid1.name}, square(121.55, 29.90)),  # fine, but not saved
        feature({"name": grid2.name}, bowtie),
        feature({"name": "没有这个网格"}, square(121.55, 29.90)),
        feature({"name": district.b.grids[0].name}, square(121.55, 29.90)),  # other street
        feature({"other": 1}, square(121.55, 29.90)),
        feature({"name": grid1.name}, square(121.55, 29.90)),  # the same area twice
        feature({"name": grid2.name}, [[[121.5, 29.9], [121.6, 29.9], [121.6, 29.95]]]),
        feature({"name": grid2.name}, hole_crossing),
        {"type": "Feature", "properties": {"name": grid2.name}, "geometry": None},
        "junk",
    )
    response = api.post("/areas/boundaries", user=district.a.coordinator, json=body)
    assert response.status_code == 422
    report = response.get_json()
    assert report["updated"] == 0 and report["error_count"] == 9
    assert [e["feature"] for e in report["errors"]] == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    messages = {e["feature"]: e["message"] for e in report["errors"]}
    assert "交叉" in messages[2] and "交叉" in messages[8]
    # An area outside the caller's street reads as unknown, like one that does not exist.
    assert messages[4] == messages[3].replace("没有这个网格", district.b.grids[0].name)
    db.session.refresh(grid1)
    assert grid1.boundary is None


def test_repeated_names_need_a_parent(api, district):
    twin = factories.make_area(
        name=district.a.grids[0].name, level="grid", parent=district.b.community
    )
    db.session.commit()
    body = collection(feature({"name": twin.name}, square(121.55, 29.90)))
    response = api.post("/areas/boundaries", user=district.admin, json=body)
    assert response.status_code == 422 and "parent" in response.get_json()["errors"][0]["message"]
    body["features"][0]["properties"]["parent"] = district.b.community.name
    assert api.post("/areas/boundaries", user=district.admin, json=body).status_code == 200
    db.session.refresh(twin)
    assert twin.boundary is not None and district.a.grids[0].boundary is None


def test_a_dry_run_previews_without_saving(api, district):
    grid = district.a.grids[0]
    body = collection(feature({"name": grid.name}, square(121.55, 29.90)))
    response = api.post("/areas/boundaries?dry_run=1", user=district.admin, json=body)
    assert response.status_code == 200
    preview = response.get_json()["preview"]
    assert preview[0]["area_id"] == grid.id and preview[0]["boundary"]["type"] == "Polygon"
    assert response.get_json()["updated"] == 0
    db.session.refresh(grid)
    assert grid.boundary is None


def test_only_managers_import(api, district):
    body = collection(feature({"name": district.a.grids[0].name}, square(121.55, 29.90)))
    for user in (district.a.leader, district.a.worker):
        assert api.post("/areas/boundaries", user=user, json=body).status_code == 403


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Polygon", "coordinates": [[[NaN, 1], [1, 1], [1, 2], [NaN, 1]]]}}]}',
        b'{"type": "FeatureCollection", "features": [1e999]}',
        b'{"type": "FeatureCollection", "features": [' + b"9" * 5000 + b"]}",
        b'{"type": "Feature"}',
        b'{"type": "FeatureCollection", "features": {"a": 1}}',
        b"\xff\xfe\x00junk",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "甲街道网格1"},
                        "geometry": {"type": "Polygon", "coordinates": [[[1, 2, 3, 4, 5]]]},
                    }
                ],
            }
        ).encode(),
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "甲街道网格1"},
                        "geometry": {"type": "Polygon", "coordinates": [[[10**400, 1]] * 5]},
                    }
                ],
            }
        ).encode(),
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": ["x"], "code": {"a": 1}},
                        "geometry": {"type": "MultiPolygon", "coordinates": [[[[[[1]]]]]]},
                    }
                ],
            }
        ).encode(),
    ],
)
def test_hostile_bodies_are_refused_cleanly(api, district, raw):
    response = api.post(
        "/areas/boundaries",
        user=district.admin,
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 413, 422), response.get_data(as_text=True)[:300]
    assert response.is_json


def test_huge_coordinate_arrays_are_refused_quickly(api, district):
    # A ring of 200,000 positions: refused by the per-boundary limit, without checking crossings.
    ring = [[121.5 + i * 1e-7, 29.9 + (i % 2) * 1e-4] for i in range(200_000)]
    ring.append(ring[0])
    body = collection(feature({"name": district.a.grids[0].name}, [ring]))
    response = api.post("/areas/boundaries", user=district.admin, json=body)
    assert response.status_code == 422
    assert "20000" in response.get_json()["errors"][0]["message"]


def test_an_intricate_zigzag_is_refused_within_the_check_budget(api, district):
    # Long teeth that all overlap in x: the sweep compares every pair; the budget stops it.
    teeth = []
    for i in range(6000):
        teeth.append([121.5 + (i % 2) * 0.05, 29.9 + i * 1e-6])
    ring = [[121.45, 29.9], *teeth, [121.45, 29.9 + 6000e-6], [121.45, 29.9]]
    body = collection(feature({"name": district.a.grids[0].name}, [ring]))
    response = api.post("/areas/boundaries", user=district.admin, json=body)
    assert response.status_code == 422


def test_a_file_past_the_position_limit_is_refused_before_checking(api, district, monkeypatch):
    from app.services import boundaries

    monkeypatch.setattr(boundaries, "MAX_POSITIONS", 8)
    body = collection(
        feature({"name": district.a.grids[0].name}, square(121.55, 29.90)),
        feature({"name": district.a.grids[1].name}, square(121.56, 29.90)),
    )
    response = api.post("/areas/boundaries", user=district.admin, json=body)
    assert response.status_code == 413 and "8" in str(response.get_json()["errors"])


def test_an_area_by_its_id_as_the_map_drawing_sends_it_another_streets_reads_unknown(api, district):
    grid, other = district.a.grids[0], district.b.grids[0]
    ok = collection(feature({"area_id": grid.id}, square(121.55, 29.90)))
    response = api.post("/areas/boundaries", user=district.a.coordinator, json=ok)
    assert response.status_code == 200 and response.get_json()["updated"] == 1
    assert db.session.get(type(grid), grid.id).boundary["type"] == "Polygon"
    refused = collection(feature({"area_id": other.id}, square(121.55, 29.90)))
    response = api.post("/areas/boundaries?lang=en", user=district.a.coordinator, json=refused)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["message"] == f"no area with id {other.id} in your area"
    assert other.boundary is None
