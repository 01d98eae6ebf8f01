"""Coordinator people pages: the spreadsheet import with its report, and its template."""

import io

from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.services.test_importing import csv_bytes, xlsx_bytes

ZH = ["姓名", "手机号", "力量类型", "区域"]


def upload(client, data, name):
    return client.post(
        "/coordinate/users/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_page_adds_then_updates(district, login_as):
    client = login_as(district.a.coordinator)
    assert client.get("/coordinate/users/import").status_code == 200
    assert "/coordinate/users/import" in client.get("/coordinate/users").get_data(as_text=True)
    sheet = [ZH, ["王五", "13700000001", "骑手", district.a.street.name]]
    response = upload(client, xlsx_bytes(sheet), "p.xlsx")
    assert response.status_code == 302
    page = client.get("/coordinate/users").get_data(as_text=True)
    assert "1" in page and "王五" in page
    sheet[1][2] = "民兵"
    assert upload(client, csv_bytes(sheet), "p.csv").status_code == 302
    forces = db.session.scalars(select(User.force).where(User.phone == "13700000001")).all()
    assert forces == ["militia"]


def test_import_page_lists_bad_rows_and_writes_nothing(district, login_as):
    client = login_as(district.a.coordinator)
    sheet = [
        ZH,
        ["王五", "13700000001", "骑手", district.a.street.name],
        ["赵六", "x", "骑手", "无名"],
    ]
    response = upload(client, csv_bytes(sheet), "p.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "import-report" in page and "无名" in page
    assert db.session.scalar(select(User).where(User.phone == "13700000001")) is None


def test_workers_are_kept_out_and_the_template_is_utf8_with_bom(district, login_as):
    assert login_as(district.a.worker).get("/coordinate/users/import").status_code == 403
    response = login_as(district.a.coordinator).get("/coordinate/users/import/template.csv")
    assert response.data.startswith("\ufeff".encode()) and "姓名,手机号" in response.get_data(
        as_text=True
    )
