"""The coordinator's site import page: a good sheet, a report of bad rows, the template."""

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Site
from tests.services.test_importing import csv_bytes, xlsx_bytes

ZH = ["网格", "名称", "类型", "纬度", "经度", "坐标系"]


def upload(client, data, name):
    return client.post(
        "/coordinate/sites/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_page_good_file(district, login_as):
    grid = district.a.grids[0]
    client = login_as(district.a.coordinator)
    sites_page = client.get("/coordinate/sites").get_data(as_text=True)
    assert "/coordinate/sites/import" in sites_page
    assert client.get("/coordinate/sites/import").status_code == 200
    sheet = xlsx_bytes([ZH, [grid.name, "东门展板", "展板", 29.9, 121.55, "gcj02"]])
    response = upload(client, sheet, "s.xlsx")
    assert response.status_code == 302
    site = db.session.scalar(select(Site).where(Site.name == "东门展板"))
    assert site.area_id == grid.id and site.kind == "board" and site.lat != 29.9


def test_import_page_lists_bad_rows(district, login_as):
    grid = district.a.grids[0]
    client = login_as(district.a.coordinator)
    rows = [ZH[:5], [grid.id, "甲", "展板", "29.9", "121.55"], ["nowhere", "乙", "展板", "1", "2"]]
    response = upload(client, csv_bytes(rows), "s.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "import-report" in page and "nowhere" in page
    assert db.session.scalar(select(Site).where(Site.name == "甲")) is None


def test_workers_cannot_import_and_template_is_utf8_with_bom(district, login_as):
    worker = login_as(district.a.worker)
    assert upload(worker, csv_bytes([ZH]), "s.csv").status_code == 403
    coordinator = login_as(district.a.coordinator)
    response = coordinator.get("/coordinate/sites/import/template.csv")
    assert response.data.startswith("\ufeff".encode())
    assert "网格,名称,类型,纬度,经度,坐标系,半径,地址" in response.get_data(as_text=True)


def test_every_import_page_shows_its_help_its_template_and_posts_to_itself(district, login_as):
    """The three import pages share one layout (coordinate/_import_page.html)."""
    client = login_as(district.a.coordinator)
    pages = {
        "/coordinate/households/import": ("导入住户", "/coordinate/households/import/template.csv"),
        "/coordinate/sites/import": ("导入宣传点位", "/coordinate/sites/import/template.csv"),
        "/coordinate/users/import": ("导入人员", "/coordinate/users/import/template.csv"),
    }
    for path, (heading, template) in pages.items():
        html = client.get(path).get_data(as_text=True)
        assert f"<h1>{heading}</h1>" in html, path
        assert f'href="{template}"' in html, path
        assert f'action="{path}"' in html, path
        assert 'name="file"' in html and "csrf_token" in html, path
