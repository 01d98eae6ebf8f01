"""Structured activity reports: POST /tasks/ID/report with when, where, audience and materials;
GET /tasks/ID/reports; the lecture figures in GET /reports/daily."""

from datetime import timedelta

from app.extensions import db
from app.models.base import utcnow
from app.models.task import TaskReport
from tests.factories import local, make_area, make_site, make_task, make_user
from tests.services.coverage_helpers import build_march_district


def test_a_lecture_report_keeps_its_fields_and_settles_progress(api, district):
    a = district.a
    school = make_site(area=a.grids[1], name="甲街道中心小学", kind="other")
    task = make_task(area=a.grids[0], kind="lecture", target_count=2, assignees=[a.police])
    db.session.commit()
    answer = api.post(
        f"/tasks/{task.id}/report",
        user=a.police,
        json={
            "count": 2,
            "held_at": "2026-11-20T09:30:00+08:00",
            "site_id": school.id,
            "audience": 320,
            "materials": 400,
            "note": "防范电信诈骗主题班会",
            "client_id": "lecture-0001",
        },
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["progress"] == {"done": 2, "target": 2}
    assert answer.get_json()["status"] == "done"
    listed = api.get(f"/tasks/{task.id}/reports", user=a.coordinator)
    assert listed.status_code == 200
    (row,) = listed.get_json()
    assert row["held_at"] == "2026-11-20T09:30:00+08:00"
    assert (row["site_id"], row["area_id"], row["audience"], row["materials"]) == (
        school.id,
        a.grids[1].id,
        320,
        400,
    )
    assert row["kind"] == "lecture" and row["count"] == 2
    # the other street's people do not see it
    assert api.get(f"/tasks/{task.id}/reports", user=district.b.coordinator).status_code == 404


def test_the_bare_count_still_works_and_counts_now_in_the_task_grid(api, district):
    a = district.a
    task = make_task(area=a.grids[0], kind="screening", target_count=1, assignees=[a.worker])
    db.session.commit()
    before = utcnow()
    answer = api.post(f"/tasks/{task.id}/report", user=a.worker, json={"count": 1})
    assert answer.status_code == 201 and answer.get_json()["status"] == "done"
    report = db.session.query(TaskReport).one()
    assert report.area_id == a.grids[0].id and report.held_at >= before - timedelta(seconds=1)


def test_a_report_sent_late_from_the_phone_counts_when_it_was_made(api, district):
    """The phone's outbox stamps captured_at; without held_at the report took place then."""
    a = district.a
    task = make_task(area=a.grids[0], kind="stall", target_count=5, assignees=[a.worker])
    db.session.commit()
    made = "2026-11-20T18:05:00+08:00"
    answer = api.post(
        f"/tasks/{task.id}/report",
        user=a.worker,
        json={"count": 1, "captured_at": made, "client_id": "stall-offline-1"},
    )
    assert answer.status_code == 201, answer.get_json()
    both = api.post(
        f"/tasks/{task.id}/report",
        user=a.worker,
        json={"count": 1, "held_at": "2026-11-19T09:00:00+08:00", "captured_at": made},
    )
    assert both.status_code == 201, both.get_json()
    rows = api.get(f"/tasks/{task.id}/reports", user=a.worker).get_json()
    assert sorted(row["held_at"] for row in rows) == ["2026-11-19T09:00:00+08:00", made]
    future = (utcnow() + timedelta(days=1)).isoformat()
    late = api.post(
        f"/tasks/{task.id}/report", user=a.worker, json={"count": 1, "captured_at": future}
    )
    assert late.status_code == 422 and "held_at" in late.get_json()["errors"]["json"]
    bad = api.post(f"/tasks/{task.id}/report", user=a.worker, json={"count": 1, "captured_at": "x"})
    assert bad.status_code == 422 and "captured_at" in bad.get_json()["errors"]["json"]
    assert db.session.query(TaskReport).count() == 2


def test_bad_fields_are_named(api, district):
    a = district.a
    task = make_task(area=a.grids[0], kind="stall", assignees=[a.worker])
    other_site = district.b.sites[0]
    db.session.commit()

    def refused(body, field):
        answer = api.post(f"/tasks/{task.id}/report", user=a.worker, json={"count": 1, **body})
        assert answer.status_code == 422, (body, answer.get_json())
        errors = answer.get_json()["errors"]
        assert field in errors.get("json", errors), (body, errors)

    refused({"held_at": (utcnow() + timedelta(days=1)).isoformat()}, "held_at")
    refused({"held_at": "yesterday"}, "held_at")
    refused({"site_id": other_site.id}, "site_id")
    refused({"site_id": 10**30}, "site_id")
    refused({"area_id": district.b.community.id}, "area_id")
    refused({"audience": -1}, "audience")
    refused({"materials": 10**20}, "materials")
    refused({"address": "x" * 201}, "address")
    refused({"address": "菜场\x00门口"}, "address")
    assert db.session.query(TaskReport).count() == 0
    ok = api.post(
        f"/tasks/{task.id}/report",
        user=a.worker,
        json={"count": 1, "address": "菜场门口", "area_id": a.community.id, "audience": 80},
    )
    assert ok.status_code == 201, ok.get_json()


def test_daily_report_counts_lectures_where_they_were_held(api, app):
    m = build_march_district()
    school = make_area(name="东一社区学校片", level="grid", parent=m.c1)
    lecturer = make_user(role="worker", area=m.s1, force="volunteer")
    lecture = make_task(area=m.g1, kind="lecture", assignees=[lecturer])
    stall = make_task(area=m.g3, kind="stall", assignees=[m.militia])
    db.session.commit()

    def report(task, user, **body):
        answer = api.post(f"/tasks/{task.id}/report", user=user, json=body)
        assert answer.status_code == 201, answer.get_json()

    day = "2026-03-31T10:00:00+08:00"
    report(lecture, lecturer, count=2, held_at=day, area_id=school.id, audience=300)
    report(lecture, lecturer, count=1, held_at=day, audience=45)
    report(lecture, lecturer, count=5, held_at="2026-03-30T10:00:00+08:00", audience=999)
    report(stall, m.militia, count=1, held_at=day, audience=60)
    body = api.get("/reports/daily?date=2026-03-31", user=m.district_leader).get_json()
    rows = {row["area_id"]: row for row in body["rows"]}
    east, west = rows[m.s1.id], rows[m.s2.id]
    assert (east["lectures"], east["lecture_audience"], east["stalls"]) == (3, 345, 0)
    assert (west["lectures"], west["stalls"], west["screenings"]) == (0, 1, 0)
    assert (body["totals"]["lectures"], body["totals"]["lecture_audience"]) == (3, 345)
    text = api.get("/reports/daily?date=2026-03-31&format=text", user=m.district_leader)
    assert "宣讲授课 3 节次，受教 345 人次" in text.get_data(as_text=True)
    csv_text = api.get("/reports/daily?date=2026-03-31&format=csv", user=m.district_leader)
    assert "授课" in csv_text.get_data(as_text=True).splitlines()[0]
    confined = api.get("/reports/daily?date=2026-03-31", user=m.leader2).get_json()
    assert [(r["area_id"], r["lectures"], r["stalls"]) for r in confined["rows"]] == [
        (m.s2.id, 0, 1)
    ]
    assert local(2026, 3, 31, 10)  # the fixture's local days are Asia/Shanghai
