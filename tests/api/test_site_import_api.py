"""POST /sites/import over HTTP: datums, Chinese sheets, re-import updates, hostile files, the job."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app import geo
from app.extensions import db
from app.models import Site
from tests.api.test_import_jobs import run_worker
from tests.factories import ApiClient, build_district
from tests.services.test_importing import csv_bytes, xlsx_bytes

EN = ["grid", "name", "kind", "lat", "lng", "coord_system", "radius_m", "address"]
ZH = ["网格", "名称", "类型", "纬度", "经度", "坐标系", "半径", "地址"]


def upload(api, user, data, name="sites.csv", lang="en"):
    return api.post(
        f"/sites/import?lang={lang}",
        user=user,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def sites_of(grid):
    db.session.expire_all()
    return {s.name: s for s in db.session.scalars(select(Site).where(Site.area_id == grid.id))}


def test_created_then_the_same_sheet_again_updates_and_adds_nothing(api, district):
    grid = district.a.grids[0]
    before = len(sites_of(grid))
    rows = [
        EN,
        [grid.id, "东门展板", "board", "29.9", "121.55", "", "80", "幸福路1号"],
        [grid.name, "西门横幅", "banner", "29.901", "121.551", "wgs84", "", ""],
    ]
    first = upload(api, district.a.coordinator, csv_bytes(rows))
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {"created": 2, "updated": 0, "errors": [], "error_count": 0}
    again = upload(api, district.a.coordinator, csv_bytes(rows))
    assert again.status_code == 200 and again.get_json()["created"] == 0  # nothing new
    assert again.get_json()["updated"] == 2
    rows[1][2], rows[1][6] = "screen", ""  # an empty radius keeps the one stored
    third = upload(api, district.a.coordinator, csv_bytes(rows))
    assert third.get_json()["created"] == 0
    stored = sites_of(grid)
    assert len(stored) == before + 2
    board = stored["东门展板"]
    assert (board.kind, board.radius_m, board.address) == ("screen", 80, "幸福路1号")
    assert (board.lat, board.lng) == (29.9, 121.55)
    assert stored["西门横幅"].radius_m == 100


def test_each_datum_is_stored_as_wgs84(api, district):
    grid = district.a.grids[0]
    lat, lng = 29.91, 121.56
    rows = [EN]
    for system in ("wgs84", "gcj02", "bd09"):
        shown = geo.from_wgs84(lat, lng, system)
        rows.append([grid.id, f"点位{system}", "poster", repr(shown[0]), repr(shown[1]), system])
    rows.append([grid.id, "未转换", "poster", "29.91", "121.56", "GCJ-02"])
    response = upload(api, district.a.coordinator, csv_bytes(rows))
    assert response.status_code == 201, response.get_json()
    stored = sites_of(grid)
    for system in ("wgs84", "gcj02", "bd09"):
        site = stored[f"点位{system}"]
        assert geo.distance_m(site.lat, site.lng, lat, lng) < 0.01, system
    shifted = stored["未转换"]  # GCJ-02 input moved by the datum's offset (hundreds of metres)
    assert 100 < geo.distance_m(shifted.lat, shifted.lng, lat, lng) < 1000
    listed = api.get(f"/sites/{shifted.id}", user=district.a.coordinator).get_json()
    assert (listed["lat"], listed["lng"]) == (shifted.lat, shifted.lng)


def test_chinese_xlsx_and_gbk_csv(api, district):
    grid = district.a.grids[1]
    grid.code = "JA-G2"
    db.session.flush()
    book = [
        ZH,
        ["ja-g2", "银行网点甲", "银行网点", 29.92, 121.57, "百度", 200, "幸福路2号"],
        [grid.name, "网吧乙", "网吧", "２９．９２１", "121.571", "火星坐标", "", ""],
    ]
    response = upload(api, district.a.coordinator, xlsx_bytes(book), "sites.xlsx", "zh")
    assert response.status_code == 201, response.get_json()
    gbk = csv_bytes([ZH[:5], [grid.name, "学校丙", "学校", "29.93", "121.58"]], "gbk")
    assert upload(api, district.a.coordinator, gbk).status_code == 201
    stored = sites_of(grid)
    assert stored["银行网点甲"].kind == "bank" and stored["银行网点甲"].radius_m == 200
    assert stored["网吧乙"].kind == "internet_cafe"
    assert stored["学校丙"].kind == "school" and stored["学校丙"].lat == 29.93


def test_every_bad_row_is_reported_and_nothing_is_written(api, district):
    grid, other = district.a.grids[0], district.b.grids[0]
    before = len(sites_of(grid))
    rows = [
        EN,
        [grid.id, "好的", "board", "29.9", "121.55"],
        [other.id, "别人的", "board", "29.9", "121.55"],
        [grid.id, "", "tower", "91", "abc", "mars"],
        [grid.id, "半径", "board", "29.9", "121.55", "", "3", "x" * 300],
        [grid.id, "好的", "board", "nan", "inf"],
        [grid.id, "=HYPERLINK(1)", "board", "29.9", "121.55"],
    ]
    response = upload(api, district.a.coordinator, csv_bytes(rows))
    assert response.status_code == 422
    body = response.get_json()
    by_row: dict[int, list[str]] = {}
    for error in body["errors"]:
        by_row.setdefault(error["row"], []).append(error["message"])
    assert sorted(by_row) == [3, 4, 5, 6, 7]
    assert by_row[3] == [f"unknown grid '{other.id}'"]  # another street's grid reads as unknown
    assert len(by_row[4]) == 5  # empty name, kind, latitude, longitude, datum
    assert any("radius" in m for m in by_row[5]) and any("longer" in m for m in by_row[5])
    assert any("duplicate name" in m for m in by_row[6])
    assert "formula" in by_row[7][0]
    assert len(sites_of(grid)) == before
    chinese = upload(api, district.a.coordinator, csv_bytes(rows), lang="zh").get_json()
    assert "未知网格" in chinese["errors"][0]["message"], chinese["errors"][0]


def test_who_may_import(api, district):
    data = csv_bytes([EN[:5], [district.a.grids[0].id, "甲", "board", "29.9", "121.55"]])
    assert upload(api, district.a.worker, data).status_code == 403
    assert upload(api, district.leader, data).status_code == 403
    assert upload(api, district.b.coordinator, data).status_code == 422
    assert upload(api, district.admin, data).status_code == 201


def formula_workbook(grid) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(EN[:5])
    sheet.append([grid.id, "=1+1", "board", 29.9, 121.55])  # a formula with no cached value
    sheet.append([grid.id, "甲", "board", "=B2", 121.55])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00garbage\x00\x00",
        "网格,名称,类型,纬度,经度\r\n1,点\x00位,展板,29.9,121.5\r\n".encode("gbk"),
        b"PK\x03\x04" + b"\x00" * 200,
        b"\xd0\xcf\x11\xe0 old xls",
        b"grid,name,kind,lat,lng\n99999999999999999999,"
        + b"9" * 5000
        + b",board,"
        + b"9" * 400
        + b",1e999\n",
        b'grid,name,kind,lat,lng\n"unterminated,1,2,3\n',
        "网格,名称,类型,纬度,经度\r\n1,\ud800,展板,29.9,121.5\r\n".encode("utf-8", "surrogatepass"),
    ],
    ids=[
        "utf16-garbage",
        "nul-in-gbk",
        "broken-zip",
        "xls",
        "huge-cells",
        "bad-quote",
        "surrogate",
    ],
)
def test_hostile_files_answer_a_row_report_never_500(api, district, data):
    response = upload(api, district.a.coordinator, data)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error_count"] >= 1 and body["errors"][0]["row"] >= 1


def test_formula_cells_are_refused_row_by_row(api, district):
    response = upload(api, district.a.coordinator, formula_workbook(district.a.grids[0]), "s.xlsx")
    assert response.status_code == 422
    assert [e["row"] for e in response.get_json()["errors"]] == [2, 3]


def test_files_past_the_limits_are_refused_naming_them(api, district):
    huge = b"grid,name,kind,lat,lng\n" + b"x" * (33 * 1024 * 1024)
    response = upload(api, district.a.coordinator, huge)
    assert response.status_code == 413 and "32 MB" in response.get_json()["message"]


@pytest.mark.slow
def test_more_than_5000_sites_are_a_job_with_the_same_report(app, committing, client):
    district = build_district()
    api, coordinator, grid = ApiClient(client), district.a.coordinator, district.a.grids[0]
    rows = [EN[:6]] + [
        [grid.id, f"批量点位{i}", "poster", f"{29.9 + i * 1e-5:.6f}", "121.55", "gcj02"]
        for i in range(5_001)
    ]
    response = upload(api, coordinator, csv_bytes(rows))
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job_id"]
    assert "1 jobs processed" in run_worker(app)
    done = api.get(f"/jobs/{job_id}", user=coordinator).get_json()
    assert done["kind"] == "import:sites" and done["status"] == "done"
    assert done["report"] == {"created": 5_001, "updated": 0, "errors": [], "error_count": 0}
    db.session.rollback()
    count = select(func.count()).where(Site.area_id == grid.id, Site.name.like("批量点位%"))
    assert db.session.scalar(count) == 5_001
