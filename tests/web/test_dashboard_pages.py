"""Dashboard pages and their JSON endpoints: figures, ranking, CSV, trend, map, cases, report; scoped."""

import csv
import io
from datetime import date

import pytest

from app import geo
from app.extensions import db
from app.models import FraudCase
from tests.factories import local, make_case, make_task, make_task_report, make_user
from tests.services.coverage_helpers import build_march_district

PERIOD = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def march(app):
    m = build_march_district()
    m.case = make_case(area=m.c1, occurred_on=date(2026, 3, 25), household=m.h1, loss="5000")
    m.s1.boundary = {
        "type": "Polygon",
        "coordinates": [[[121.5, 29.8], [121.6, 29.8], [121.6, 29.9], [121.5, 29.8]]],
    }
    db.session.commit()
    return m


def test_leader_sees_figures_and_ranking(client, login_as, march):
    login_as(march.district_leader)
    response = client.get(f"/dashboard/?{PERIOD}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-figure="site_coverage">75.0%' in page
    assert "东街道" in page and "西街道" in page and 'id="ranking"' in page
    assert f"/dashboard/?area_id={march.s1.id}" in page


def test_lectures_stalls_and_screenings_on_the_dashboard(client, login_as, march):
    lecturer = make_user(role="worker", area=march.s1, force="volunteer")
    lecture = make_task(area=march.g1, kind="lecture", assignees=[lecturer])
    screening = make_task(area=march.g3, kind="screening", assignees=[march.militia])
    at = local(2026, 3, 12, 9)
    make_task_report(task=lecture, user=lecturer, count=2, at=at, audience=300)
    make_task_report(task=lecture, user=lecturer, count=7, at=local(2026, 4, 2, 9), audience=9)
    make_task_report(task=screening, user=march.militia, count=1, at=at, audience=40)
    db.session.commit()
    login_as(march.district_leader)
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert 'data-figure="lectures">2<' in page and "受教 300 人次" in page
    assert "放映 1 场" in page
    login_as(march.leader2)
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert 'data-figure="lectures">0<' in page and "放映 1 场" in page


def test_street_leader_sees_only_their_street(client, login_as, march):
    login_as(march.leader1)
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert "东一社区" in page and "西街道" not in page
    assert client.get(f"/dashboard/?area_id={march.s2.id}&{PERIOD}").status_code == 403
    assert client.get(f"/dashboard/data/map.json?area_id={march.s2.id}").status_code == 403
    assert client.get(f"/dashboard/data/trend.json?area_id={march.s2.id}").status_code == 403
    assert client.get(f"/dashboard/cases/{march.case.id}").status_code == 200


def test_other_street_leader_cannot_open_the_case(client, login_as, march):
    login_as(march.leader2)
    assert client.get(f"/dashboard/cases/{march.case.id}").status_code == 404


def test_workers_are_kept_out(client, login_as, march):
    login_as(march.worker)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/data/map.json").status_code == 403


def test_bad_period_is_422(client, login_as, march):
    login_as(march.admin)
    assert client.get("/dashboard/?from=2026-03-05&to=2026-03-01").status_code == 422
    assert client.get("/dashboard/?from=soon").status_code == 422


def test_ranking_csv(client, login_as, march):
    login_as(march.admin)
    response = client.get(f"/dashboard/ranking.csv?{PERIOD}")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(march.s1.id)][1] == "东街道" and by_id[str(march.s1.id)][2] == "1.0"


def test_trend_json(client, login_as, march):
    login_as(march.admin)
    body = client.get(f"/dashboard/data/trend.json?{PERIOD}").get_json()
    assert len(body["days"]) == 31 and body["days"][0] == "2026-03-01"
    assert sum(body["checkins"]) == 4 and body["checkins"][0] == 1 and body["checkins"][30] == 1
    assert sum(body["visits"]) == 5 and sum(body["households_reached"]) == 3  # h1 twice, h3 once


def test_map_json_without_tiles_is_wgs84(client, login_as, march):
    login_as(march.admin)
    body = client.get(f"/dashboard/data/map.json?{PERIOD}").get_json()
    assert body["datum"] == "wgs84"
    sites = {s[0]: s for s in body["sites"]}
    assert sites[march.s1_site.id][4] is True and sites[march.g3_site.id][4] is False
    assert march.inactive.id not in sites
    assert sites[march.s1_site.id][2:4] == [
        round(march.s1_site.lat, 6),
        round(march.s1_site.lng, 6),
    ]
    east = next(a for a in body["areas"] if a["area_id"] == march.s1.id)
    assert east["site_coverage"] == 1.0 and east["boundary"]["coordinates"][0][0] == [121.5, 29.8]


def test_map_json_shifts_for_gcj02_tiles(app, client, login_as, march, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://tiles.example/{z}/{x}/{y}.png")
    monkeypatch.setitem(app.config, "MAP_TILE_DATUM", "gcj02")
    login_as(march.admin)
    body = client.get(f"/dashboard/data/map.json?{PERIOD}").get_json()
    assert body["datum"] == "gcj02"
    site = next(s for s in body["sites"] if s[0] == march.s1_site.id)
    expected = geo.from_wgs84(march.s1_site.lat, march.s1_site.lng, "gcj02")
    assert site[2:4] == [round(expected[0], 6), round(expected[1], 6)]
    east = next(a for a in body["areas"] if a["area_id"] == march.s1.id)
    lat, lng = geo.from_wgs84(29.8, 121.5, "gcj02")
    assert east["boundary"]["coordinates"][0][0] == [round(lng, 6), round(lat, 6)]


def test_map_page(client, login_as, march):
    login_as(march.leader1)
    page = client.get(f"/dashboard/map?{PERIOD}").get_data(as_text=True)
    assert 'id="coverage-map"' in page and f"area_id={march.s1.id}" in page


def test_cases_page_and_backcheck(client, login_as, march):
    login_as(march.district_leader)
    page = client.get(f"/dashboard/cases?{PERIOD}").get_data(as_text=True)
    assert 'data-figure="cases">1<' in page and f"/dashboard/cases/{march.case.id}" in page
    assert "Record a case" not in page  # leaders read only
    check = client.get(f"/dashboard/cases/{march.case.id}").get_data(as_text=True)
    assert "household-answers" in check


def test_leader_cannot_post_a_case(client, login_as, march):
    login_as(march.district_leader)
    assert client.post("/dashboard/cases", data={"area_id": march.c1.id}).status_code == 403


def test_coordinator_records_a_case_on_the_page(client, login_as, march):
    login_as(march.coordinator)
    response = client.post(
        f"/dashboard/cases?{PERIOD}",
        data={
            "area_id": march.c1.id,
            "occurred_on": "2026-03-20",
            "fraud_type": "shopping",
            "loss_amount": "0",
            "victim_age_band": "",
            "reference": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.query(FraudCase).filter_by(fraud_type="shopping").count() == 1
    bad = client.post(
        "/dashboard/cases",
        data={
            "area_id": march.c1.id,
            "occurred_on": "2098-01-01",
            "fraud_type": "shopping",
            "loss_amount": "1",
        },
    )
    assert bad.status_code == 422 and "must not be in the future" in bad.get_data(as_text=True)


def test_coordinator_imports_cases_on_the_page(client, login_as, march):
    login_as(march.coordinator)
    good = f"社区,发案日期,诈骗类型,损失金额\n{march.c1.id},2026-03-20,刷单,100\n".encode()
    response = client.post(
        "/dashboard/cases",
        data={"file": (io.BytesIO(good), "c.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    bad = f"社区,发案日期,诈骗类型,损失金额\n{march.c2.id},2026-03-20,刷单,100\n".encode()
    response = client.post(
        "/dashboard/cases",
        data={"file": (io.BytesIO(bad), "c.csv")},
        content_type="multipart/form-data",
    )
    # Another street's community reads as unknown: the page tells nothing about what lies outside.
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 422
        and f"未知社区 &#39;{march.c2.id}&#39;" in html
        and "辖区" not in html
    )


def test_report_page(client, login_as, march):
    login_as(march.admin)
    page = client.get("/dashboard/report?date=2026-03-31").get_data(as_text=True)
    assert 'id="daily-report"' in page and "【反诈日报】2026年3月31日" in page
    assert "/api/v1/reports/daily?date=2026-03-31&amp;format=xlsx" in page
    assert client.get("/dashboard/report?date=31-03").status_code == 422


def test_nav_link_for_readers_only(client, login_as, march):
    login_as(march.worker)
    assert "/dashboard/" not in client.get("/").get_data(as_text=True)


def test_every_figure_is_scoped_to_the_street(client, login_as, march):
    from tests.factories import local, make_warning

    make_case(area=march.c2, occurred_on=date(2026, 3, 20), loss="777")
    make_warning(
        area=march.g3, at=local(2026, 3, 20, 9), hours=2, handled_after=1, result="dissuaded"
    )
    make_warning(area=march.g1, at=local(2026, 3, 21, 9), hours=2, handled_after=3)
    db.session.commit()
    login_as(march.leader1)
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert 'data-figure="cases">1<' in page and "5,000.00" in page and "777" not in page
    assert (
        'data-figure="warnings_in_time">0 / 1<' in page
    )  # the west street's warning is not counted
    assert 'data-figure="site_coverage">100.0%' in page and 'data-figure="visits">4<' in page
    login_as(march.district_leader)
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert 'data-figure="cases">2<' in page and 'data-figure="warnings_in_time">1 / 2<' in page


def test_a_large_case_file_is_queued_and_followed_on_the_page(client, login_as, march):
    login_as(march.coordinator)
    big = (
        "社区,发案日期,诈骗类型,损失金额\n" + f"{march.c1.id},2026-03-20,刷单,100\n" * 5_001
    ).encode()
    response = client.post(
        "/dashboard/cases",
        data={"file": (io.BytesIO(big), "c.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 202 and 'id="import-job"' in page and "js/import-job.js" in page


def test_the_dashboard_shows_the_money_stopped_and_phone_dissuasions(client, login_as, district):
    from app.services.warnings import handling

    a = district.a
    for result, extra in (
        ("already_defrauded", {"stopped_amount": 1234.5}),
        ("phone_dissuaded", {}),
    ):
        warning = handling.create_warning(
            a.police, {"level": "high", "area_id": a.grids[0].id, "subject_label": "王某"}
        )
        handling.record_outcome(a.worker, warning, {"result": result, **extra})
    db.session.commit()
    login_as(district.leader)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert 'data-figure="stopped_amount">1,234.50<' in page and "其中电话劝阻 1 人" in page
