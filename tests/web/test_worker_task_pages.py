"""The worker's phone pages for tasks: the home list and reporting an activity."""

import re
from datetime import timedelta

from app.extensions import db
from app.models import Task
from app.models.base import utcnow
from app.models.task import TaskReport
from app.services.localtime import to_local
from app.services.warnings import handling
from tests.api.checkin_helpers import body
from tests.factories import make_task


def test_worker_home_shows_warnings_first_then_tasks_by_deadline(client, login_as, district):
    a = district.a
    later = make_task(
        area=a.grids[0],
        kind="lecture",
        target_count=2,
        assignees=[a.worker],
        title="讲座",
        due_at=utcnow() + timedelta(days=5),
    )
    sooner = make_task(
        area=a.grids[0],
        kind="site_check",
        target_count=1,
        title="检查点位",
        due_at=utcnow() + timedelta(hours=5),
    )
    make_task(area=a.grids[1], title="别人的网格")
    handling.create_warning(
        a.police,
        {
            "level": "high",
            "area_id": a.grids[0].id,
            "subject_label": "王某",
            "phone": "13800131234",
        },
    )
    db.session.commit()
    login_as(a.worker)
    page = client.get("/").get_data(as_text=True)
    assert page.index("王某") < page.index("检查点位") < page.index("讲座")
    assert (
        "别人的网格" not in page and "138****1234" not in page
    )  # the home list shows no numbers at all
    seconds = [int(v) for v in re.findall(r'data-seconds="(-?\d+)"', page)]
    assert len(seconds) == 3 and 7000 < seconds[0] <= 7200 and seconds[1] < seconds[2]
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "1 h 59 min left" in english or "2 h 0 min left" in english
    assert f"/worker/tasks/{later.id}" in page and f"/worker/tasks/{sooner.id}" in page


def test_worker_reports_a_lecture_on_the_phone(client, login_as, district):
    a = district.a
    lecture = make_task(
        area=a.grids[0], kind="lecture", target_count=2, assignees=[a.worker], title="讲座"
    )
    db.session.commit()
    login_as(a.worker)
    page = client.get(f"/worker/tasks/{lecture.id}").get_data(as_text=True)
    assert "0 / 2" in page and 'name="count"' in page
    assert client.post(f"/worker/tasks/{lecture.id}", data={"count": "0"}).status_code == 422
    assert (
        client.post(f"/worker/tasks/{lecture.id}", data={"count": "1", "note": "小学"}).status_code
        == 302
    )
    assert "1 / 2" in client.get(f"/worker/tasks/{lecture.id}").get_data(as_text=True)


def test_the_report_form_takes_when_where_audience_and_materials(client, login_as, district):
    a = district.a
    lecture = make_task(
        area=a.grids[0], kind="lecture", target_count=3, assignees=[a.worker], title="讲座"
    )
    db.session.commit()
    login_as(a.worker)
    page = client.get(f"/worker/tasks/{lecture.id}").get_data(as_text=True)
    for name in ("held_at", "site_id", "address", "audience", "materials"):
        assert f'name="{name}"' in page, name
    assert f'value="{a.sites[0].id}"' in page and 'type="datetime-local"' in page
    late = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"/worker/tasks/{lecture.id}", data={"count": "1", "held_at": late})
    assert refused.status_code == 422 and "不能晚于现在" in refused.get_data(as_text=True)
    posted = client.post(
        f"/worker/tasks/{lecture.id}",
        data={
            "count": "2",
            "held_at": "2026-11-20T09:30",
            "site_id": str(a.sites[0].id),
            "address": "",
            "audience": "150",
            "materials": "",
            "note": "",
        },
    )
    assert posted.status_code == 302
    (report,) = db.session.query(TaskReport).all()
    assert (report.count, report.audience, report.materials, report.site_id) == (
        2,
        150,
        None,
        a.sites[0].id,
    )
    assert to_local(report.held_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 09:30"
    assert report.area_id == a.sites[0].area_id and report.address is None
    assert "2 / 3" in client.get(f"/worker/tasks/{lecture.id}").get_data(as_text=True)


def test_worker_pages_hide_other_grids_tasks(api, client, login_as, district):
    a = district.a
    other = make_task(area=a.grids[1], title="别人的网格")
    site_task = make_task(area=a.grids[0], kind="site_check", target_count=1, sites=[a.sites[0]])
    db.session.commit()
    assert (
        api.post(
            "/checkins", user=a.worker, json=body(a.sites[0], task_id=site_task.id)
        ).status_code
        == 201
    )
    login_as(a.worker)
    assert client.get(f"/worker/tasks/{other.id}").status_code == 404
    page = client.get(f"/worker/tasks/{site_task.id}").get_data(as_text=True)
    assert "1 / 1" in page and 'name="count"' not in page
    assert db.session.get(Task, site_task.id).status == "done"
