"""POST /users/import over HTTP: the report, updates, hostile files, the background job."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.api.test_import_jobs import run_worker
from tests.factories import ApiClient, build_district
from tests.services.test_importing import csv_bytes

EN = ["display_name", "phone", "force", "area", "username", "grids"]


def upload(api, user, data, name="people.csv"):
    return api.post(
        "/users/import?lang=en",
        user=user,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def people(street, count, force="rider"):
    return [EN] + [[f"骑手{i}", f"139{i:08d}", force, street.id, "", ""] for i in range(count)]


def test_created_then_updated(api, district):
    coordinator = district.a.coordinator
    first = upload(api, coordinator, csv_bytes(people(district.a.street, 3)))
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {"created": 3, "updated": 0, "errors": [], "error_count": 0}
    again = upload(api, coordinator, csv_bytes(people(district.a.street, 4, "militia")))
    assert again.status_code == 201 and again.get_json()["updated"] == 3
    assert again.get_json()["created"] == 1
    listed = api.get("/users?force=militia&per_page=50", user=coordinator).get_json()
    assert listed["total"] == 4 and all("password" not in u for u in listed["items"])


def test_who_may_import(api, district):
    data = csv_bytes(people(district.a.street, 1))
    assert upload(api, district.a.worker, data).status_code == 403
    assert upload(api, district.leader, data).status_code == 403
    assert upload(api, district.admin, data).status_code == 201
    chinese = api.post(
        "/users/import",
        user=district.b.coordinator,
        data={"file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "zh"},
    )
    assert chinese.status_code == 422  # another street's area reads as unknown
    assert "未知区域" in chinese.get_json()["errors"][0]["message"], chinese.get_json()


def formula_workbook(street) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(EN)
    sheet.append(["=1+1", "13900000001", "rider", street.id])  # a formula with no cached value
    sheet.append(["A", "=A2", "rider", street.id])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00garbage\x00\x00",
        "姓名,手机号,力量类型,区域\r\n张三,139\x00001,骑手,1\r\n".encode("gbk"),
        b"PK\x03\x04" + b"\x00" * 200,
        b"\xd0\xcf\x11\xe0 old xls",
        b"display_name,phone,force,area\n" + b"A," + b"9" * 5000 + b",rider,99999999999999999999\n",
        b'display_name,phone,force,area\n"unterminated,1,2,3\n',
    ],
    ids=["utf16-garbage", "nul-in-gbk", "broken-zip", "xls", "huge-cells", "bad-quote"],
)
def test_hostile_files_answer_a_row_report_never_500(api, district, data):
    response = upload(api, district.a.coordinator, data)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error_count"] >= 1 and body["errors"][0]["row"] >= 1


def test_formula_cells_are_refused_row_by_row(api, district):
    response = upload(api, district.a.coordinator, formula_workbook(district.a.street), "p.xlsx")
    assert response.status_code == 422
    assert [e["row"] for e in response.get_json()["errors"]] == [2, 3]
    csv_formula = csv_bytes([EN[:4], ["@SUM(1)", "13900000001", "rider", district.a.street.id]])
    response = upload(api, district.a.coordinator, csv_formula)
    assert response.status_code == 422 and "bad name" in response.get_json()["errors"][0]["message"]


@pytest.mark.slow
def test_more_than_5000_people_are_a_job_with_the_same_report(app, committing, client):
    district = build_district()
    api, coordinator = ApiClient(client), district.a.coordinator
    response = upload(api, coordinator, csv_bytes(people(district.a.street, 5_001)))
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job_id"]
    assert "1 jobs processed" in run_worker(app)
    done = api.get(f"/jobs/{job_id}", user=coordinator).get_json()
    assert done["kind"] == "import:people" and done["status"] == "done"
    assert done["report"] == {"created": 5_001, "updated": 0, "errors": [], "error_count": 0}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(User.force == "rider")) >= 5_001


def test_files_past_the_limits_are_refused_naming_them(api, district):
    huge = b"display_name,phone,force,area\n" + b"x" * (33 * 1024 * 1024)
    response = upload(api, district.a.coordinator, huge)
    assert response.status_code == 413 and "32 MB" in response.get_json()["message"]
