"""POST/GET/PATCH /households and POST /households/import over HTTP."""

import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import Household
from tests.factories import make_household
from tests.services.test_household_import import in_district
from tests.services.test_importing import csv_bytes, xlsx_bytes


def field_errors(response):
    return response.get_json()["errors"]["json"]


def test_create_and_get(api, district):
    grid = district.a.grids[0]
    response = api.post(
        "/households",
        user=district.a.coordinator,
        json={"area_id": grid.id, "label": "12-2-301", "tags": ["elderly"]},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (
        body["label"] == "12-2-301"
        and body["tags"] == ["elderly"]
        and body["area_name"] == grid.name
    )
    assert body["unreachable"] is False
    assert api.get(f"/households/{body['id']}", user=district.a.worker).status_code == 200
    assert api.get(f"/households/{body['id']}", user=district.b.coordinator).status_code == 404


def test_create_rejections(api, district):
    grid = district.a.grids[0]
    coordinator = district.a.coordinator
    make_household(area=grid, label="1")
    bad_tag = api.post(
        "/households", user=coordinator, json={"area_id": grid.id, "label": "2", "tags": ["vip"]}
    )
    assert bad_tag.status_code == 422 and "tags" in field_errors(bad_tag)
    duplicate = api.post("/households", user=coordinator, json={"area_id": grid.id, "label": "1"})
    assert duplicate.status_code == 409 and "label" in field_errors(duplicate)
    not_grid = api.post(
        "/households", user=coordinator, json={"area_id": district.a.community.id, "label": "3"}
    )
    assert not_grid.status_code == 422 and "area_id" in field_errors(not_grid)
    missing = api.post("/households", user=coordinator, json={"area_id": grid.id})
    assert missing.status_code == 422 and "label" in field_errors(missing)
    names = api.post(
        "/households", user=coordinator, json={"area_id": grid.id, "label": "4", "name": "张三"}
    )
    assert names.status_code == 422 and "name" in field_errors(names)


def test_authorization_comes_before_validation(api, district):
    outside = api.post(
        "/households",
        user=district.a.coordinator,
        json={"area_id": district.b.grids[0].id, "label": "", "tags": ["vip"]},
    )
    assert outside.status_code == 403
    worker = api.post("/households", user=district.a.worker, json={"label": ""})
    assert worker.status_code == 403
    h = make_household(area=district.a.grids[0])
    patch = api.patch(
        f"/households/{h.id}", user=district.a.worker, json={"unreachable_reason": "burnt"}
    )
    assert patch.status_code == 403
    hidden = api.patch(f"/households/{h.id}", user=district.b.coordinator, json={"tags": "x"})
    assert hidden.status_code == 404


def test_list_filters_and_scope(api, district):
    a0, a1 = district.a.grids
    make_household(area=a0, label="12-1-101", tags=["elderly"])
    make_household(area=a0, label="13-1-101", unreachable=True, unreachable_reason="vacant")
    make_household(area=a1, label="12-9-901")
    make_household(area=district.b.grids[0], label="12-1-101")

    def labels(user, **query):
        response = api.get("/households", user=user, query_string=query)
        assert response.status_code == 200, response.get_json()
        return [h["label"] for h in response.get_json()["items"]]

    assert labels(district.a.coordinator) == ["12-1-101", "13-1-101", "12-9-901"]
    assert labels(district.a.worker) == ["12-1-101", "13-1-101"]
    assert labels(district.a.coordinator, q="12", area_id=district.a.community.id) == [
        "12-1-101",
        "12-9-901",
    ]
    assert labels(district.a.coordinator, tag="elderly") == ["12-1-101"]
    assert labels(district.a.coordinator, unreachable="true") == ["13-1-101"]
    assert labels(district.admin, area_id=district.b.street.id) == ["12-1-101"]
    outside = api.get(
        "/households", user=district.a.coordinator, query_string={"area_id": district.b.grids[0].id}
    )
    assert outside.status_code == 403
    bad = api.get("/households", user=district.a.coordinator, query_string={"tag": "vip"})
    assert bad.status_code == 422 and "tag" in field_errors(bad)


def test_patch_unreachable(api, district):
    h = make_household(area=district.a.grids[0])
    url = f"/households/{h.id}"
    no_reason = api.patch(url, user=district.a.coordinator, json={"unreachable": True})
    assert no_reason.status_code == 422 and "unreachable_reason" in field_errors(no_reason)
    bad_reason = api.patch(
        url, user=district.a.coordinator, json={"unreachable": True, "unreachable_reason": "x"}
    )
    assert bad_reason.status_code == 422 and "unreachable_reason" in field_errors(bad_reason)
    ok = api.patch(
        url,
        user=district.a.coordinator,
        json={"unreachable": True, "unreachable_reason": "demolished"},
    )
    assert ok.status_code == 200 and ok.get_json()["unreachable_reason"] == "demolished"
    leader = api.patch(url, user=district.a.leader, json={"unreachable": False})
    assert leader.status_code == 403


def upload(api, user, data, name="households.csv"):
    return api.post(
        "/households/import",
        user=user,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def households():
    return db.session.scalar(select(func.count(Household.id)).where(in_district()))


def test_import_csv_and_xlsx(api, district):
    g0 = district.a.grids[0]
    response = upload(
        api,
        district.a.coordinator,
        csv_bytes([["网格", "地址", "标签"], [g0.name, "1", "老人"]], "gbk"),
    )
    assert response.status_code == 201 and response.get_json() == {
        "created": 1,
        "errors": [],
        "error_count": 0,
    }
    response = upload(
        api, district.a.coordinator, xlsx_bytes([["grid", "label"], [g0.id, "2"]]), "h.xlsx"
    )
    assert response.status_code == 201 and response.get_json()["created"] == 1
    assert households() == 2


def test_import_with_bad_rows_is_422_and_writes_nothing(api, district):
    g0 = district.a.grids[0]
    data = csv_bytes(
        [["grid", "label", "tags"], [g0.id, "1", ""], ["nowhere", "2", ""], [g0.id, "3", "vip"]]
    )
    response = upload(api, district.a.coordinator, data)
    assert response.status_code == 422
    body = response.get_json()
    assert body["created"] == 0 and [e["row"] for e in body["errors"]] == [3, 4]
    assert households() == 0


def test_import_needs_a_file_and_a_manager(api, district):
    response = api.post(
        "/households/import",
        user=district.a.coordinator,
        data={},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "file" in field_errors(response)
    assert upload(api, district.a.worker, b"grid,label\n1,1\n").status_code == 403
    assert upload(api, district.a.leader, b"grid,label\n1,1\n").status_code == 403


def test_import_of_an_empty_file(api, district):
    response = upload(api, district.a.coordinator, b"")
    assert response.status_code == 422 and response.get_json()["errors"][0]["row"] == 1


def test_openapi_documents_the_calls(api, district):
    paths = api.client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/households", "/api/v1/households/import", "/api/v1/visits"} <= set(paths)


def test_numbers_and_text_the_database_cannot_hold_are_422(api, district):
    grid = district.a.grids[0]
    coordinator = district.a.coordinator
    huge = api.post("/households", user=coordinator, json={"area_id": 2**40, "label": "1"})
    assert huge.status_code in (403, 422)
    nul = api.post("/households", user=coordinator, json={"area_id": grid.id, "label": "1\x00"})
    assert nul.status_code == 422 and "label" in field_errors(nul)
    assert (
        api.get("/households", user=coordinator, query_string={"area_id": 2**40}).status_code == 422
    )
    assert api.get("/households", user=coordinator, query_string={"q": "1\x00"}).status_code == 422
    assert api.get(f"/households/{2**40}", user=coordinator).status_code == 404
