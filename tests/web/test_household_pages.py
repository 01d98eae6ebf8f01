"""Coordinator household pages: list per grid, add, mark unreachable, import with its report."""

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Household
from tests.factories import make_household
from tests.services.test_importing import csv_bytes, xlsx_bytes


def test_list_shows_own_street_and_filters(district, login_as):
    a0, a1 = district.a.grids
    make_household(area=a0, label="12-1-101", tags=["elderly"])
    make_household(area=a1, label="7-1-101")
    make_household(area=district.b.grids[0], label="99-9-999")
    client = login_as(district.a.coordinator)
    page = client.get("/coordinate/households").get_data(as_text=True)
    assert "12-1-101" in page and "7-1-101" in page and "99-9-999" not in page
    page = client.get(f"/coordinate/households?area_id={a0.id}&q=12").get_data(as_text=True)
    assert "12-1-101" in page and "7-1-101" not in page
    page = client.get("/coordinate/households?tag=elderly").get_data(as_text=True)
    assert "12-1-101" in page and "7-1-101" not in page


def test_workers_and_leaders_are_kept_out(district, login_as):
    assert login_as(district.a.worker).get("/coordinate/households").status_code == 403


def test_add_a_household(district, login_as):
    grid = district.a.grids[0]
    client = login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/households",
        data={"area_id": grid.id, "label": "3-2-201", "tags": ["elderly", "parent"]},
    )
    assert response.status_code == 302
    h = db.session.scalar(
        select(Household).where(Household.area_id == grid.id, Household.label == "3-2-201")
    )
    assert h.tags == ["elderly", "parent"]
    again = client.post("/coordinate/households", data={"area_id": grid.id, "label": "3-2-201"})
    assert again.status_code == 409 and 'data-field="label"' in again.get_data(as_text=True)


def test_mark_unreachable_and_back(district, login_as):
    h = make_household(area=district.a.grids[0])
    client = login_as(district.a.coordinator)
    url = f"/coordinate/households/{h.id}/reachability"
    assert (
        client.post(
            url, data={"reason": "demolished", "next": "/coordinate/households"}
        ).status_code
        == 302
    )
    db.session.refresh(h)
    assert (h.unreachable, h.unreachable_reason) == (True, "demolished")
    assert client.post(url, data={"reason": ""}).status_code == 302
    db.session.refresh(h)
    assert (h.unreachable, h.unreachable_reason) == (False, None)
    response = client.post(url, data={"reason": "", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    refused = client.post(url, data={"reason": "x", "next": "https://evil.example/"})
    assert (
        refused.status_code == 422 and "Location" not in refused.headers
    )  # a wrong field answers 422
    db.session.refresh(h)
    assert h.unreachable is False


def test_other_streets_household_is_not_found(district, login_as):
    h = make_household(area=district.b.grids[0])
    client = login_as(district.a.coordinator)
    assert (
        client.post(
            f"/coordinate/households/{h.id}/reachability", data={"reason": "vacant"}
        ).status_code
        == 404
    )
    db.session.refresh(h)
    assert h.unreachable is False


def upload(client, data, name):
    return client.post(
        "/coordinate/households/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_page_good_file(district, login_as):
    grid = district.a.grids[0]
    client = login_as(district.a.coordinator)
    assert client.get("/coordinate/households/import").status_code == 200
    response = upload(
        client, xlsx_bytes([["网格", "地址", "标签"], [grid.name, "1-1-101", "老人"]]), "h.xlsx"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Household.tags).where(Household.area_id == grid.id)) == [
        "elderly"
    ]


def test_import_page_lists_bad_rows(district, login_as):
    grid = district.a.grids[0]
    client = login_as(district.a.coordinator)
    response = upload(
        client, csv_bytes([["grid", "label"], [grid.id, "1"], ["nowhere", "2"]]), "h.csv"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "import-report" in page and "nowhere" in page
    assert db.session.scalar(select(Household).where(Household.area_id == grid.id)) is None


def test_template_is_utf8_with_bom(district, login_as):
    response = login_as(district.a.coordinator).get("/coordinate/households/import/template.csv")
    assert response.data.startswith("\ufeff".encode()) and "网格,地址,标签" in response.get_data(
        as_text=True
    )


def test_odd_filters_are_not_errors(district, login_as):
    client = login_as(district.a.coordinator)
    assert client.get("/coordinate/households?q=1%00&tag=vip&unreachable=maybe").status_code == 200
    # A page number out of range is refused naming it, as in the API (tests/api/test_hostile_input.py).
    assert client.get("/coordinate/households?page=-3").status_code == 422
    assert client.get(f"/coordinate/households?area_id={2**40}").status_code in (403, 422)


def test_import_page_queues_a_large_file_and_follows_it(district, login_as):
    grids = district.a.grids
    client = login_as(district.a.coordinator)
    rows = [["grid", "label"]] + [[grids[i % 2].id, f"{i}-1-101"] for i in range(5_001)]
    response = upload(client, csv_bytes(rows), "big.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 202 and 'id="import-job"' in page and "js/import-job.js" in page
    card = page.split('id="import-job"')[1].split("</main>")[0]
    assert (
        "/api/v1/jobs/" in card and "<script>" not in card
    )  # no inline script: a JSON config and a file


def test_import_page_names_the_row_limit(district, login_as):
    client = login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/households/import?lang=en",
        data={"file": (io.BytesIO(b"grid,label\n" + b"1,x\n" * 200_001), "huge.csv")},
        content_type="multipart/form-data",
    )
    assert (
        response.status_code == 413
        and "the file has more than 200,000 rows" in response.get_data(as_text=True)
    )
