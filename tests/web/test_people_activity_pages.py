"""The person page (this month, by month, tasks, reports, commendations), the leaderboard, and
who may open them."""

import re
from datetime import timedelta

from app.extensions import db
from app.models import Commendation
from app.models.base import utcnow
from app.services.localtime import today
from tests.factories import (
    make_checkin,
    make_commendation,
    make_household,
    make_task,
    make_task_report,
    make_user,
    make_visit,
)


def _busy_worker(district):
    a = district.a
    task = make_task(area=a.grids[0], kind="lecture", assignees=[a.worker], title="进校园宣讲")
    make_checkin(user=a.worker, site=a.sites[0])
    make_checkin(user=a.worker, site=a.sites[0], status="rejected")
    make_checkin(user=a.worker, site=a.sites[0], at=utcnow() - timedelta(days=40))
    make_visit(user=a.worker, household=make_household(area=a.grids[0]))
    make_task_report(task=task, user=a.worker, count=2, audience=120)
    return task


def test_person_page_shows_this_month_and_the_months_before(client, login_as, district):
    a = district.a
    _busy_worker(district)
    make_commendation(user=a.worker, by=a.coordinator, reason="表现突出")
    db.session.commit()
    login_as(a.leader)
    response = client.get(f"/dashboard/people/{a.worker.id}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert 'data-figure="checkins">1<' in page and 'data-figure="visits">1<' in page
    assert 'data-figure="reports">1<' in page and "受教 120 人次" in page
    assert "进校园宣讲" in page and "表现突出" in page
    months = re.findall(r'data-month="(\d{4}-\d{2})"', page)
    assert len(months) == 6 and months[-1] == today().strftime("%Y-%m")
    # a leader reads; only coordinators commend
    assert 'name="reason"' not in page
    assert client.post(f"/dashboard/people/{a.worker.id}", data={"reason": "好"}).status_code == 403


def test_people_of_other_areas_are_not_found(client, login_as, district):
    login_as(district.b.coordinator)
    assert client.get(f"/dashboard/people/{district.a.worker.id}").status_code == 404
    assert client.get("/dashboard/people/999999").status_code == 404


def test_workers_cannot_open_person_pages_or_the_leaderboard(client, login_as, district):
    login_as(district.a.worker)
    assert client.get(f"/dashboard/people/{district.a.worker.id}").status_code == 403
    assert client.get("/dashboard/leaderboard").status_code == 403


def test_coordinator_records_a_commendation(client, login_as, district):
    a = district.a
    db.session.commit()
    login_as(a.coordinator)
    url = f"/dashboard/people/{a.worker.id}"
    assert 'name="reason"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"reason": ""}).status_code == 422
    future = (today() + timedelta(days=3)).isoformat()
    assert client.post(url, data={"reason": "劝阻成功", "awarded_on": future}).status_code == 422
    assert client.post(url, data={"reason": "x" * 501}).status_code == 422
    assert db.session.query(Commendation).count() == 0
    done = client.post(url, data={"reason": "成功劝阻一起冒充客服诈骗", "awarded_on": "2026-11-03"})
    assert done.status_code == 302
    (row,) = db.session.query(Commendation).all()
    assert (row.user_id, row.by_id, row.awarded_on.isoformat()) == (
        a.worker.id,
        a.coordinator.id,
        "2026-11-03",
    )
    assert "成功劝阻一起冒充客服诈骗" in client.get(url).get_data(as_text=True)


def test_leaderboard_ranks_people_of_the_area_by_force(client, login_as, district):
    a, b = district.a, district.b
    _busy_worker(district)
    volunteer = make_user(
        role="worker", area=a.community, force="volunteer", display_name="志愿者甲"
    )
    for _ in range(3):
        make_checkin(user=volunteer, site=a.sites[1])
    make_checkin(user=b.worker, site=b.sites[0])
    db.session.commit()
    login_as(a.coordinator)
    page = client.get("/dashboard/leaderboard").get_data(as_text=True)
    people = re.findall(r'data-person="(\d+)"', page)
    assert people == [str(volunteer.id), str(a.worker.id)]  # b's worker is not in a's street
    page = client.get("/dashboard/leaderboard?sort=reports").get_data(as_text=True)
    assert re.findall(r'data-person="(\d+)"', page) == [str(a.worker.id), str(volunteer.id)]
    page = client.get("/dashboard/leaderboard?force=volunteer").get_data(as_text=True)
    assert re.findall(r'data-person="(\d+)"', page) == [str(volunteer.id)]
    assert client.get("/dashboard/leaderboard?sort=nope").status_code == 422
    assert client.get(f"/dashboard/leaderboard?area_id={b.street.id}").status_code == 403
    login_as(district.leader)
    page = client.get("/dashboard/leaderboard").get_data(as_text=True)
    assert str(b.worker.id) in re.findall(r'data-person="(\d+)"', page)


def test_workers_see_their_area_leaderboard_only_where_it_is_switched_on(
    app, client, login_as, district
):
    a = district.a
    _busy_worker(district)
    make_checkin(user=district.b.worker, site=district.b.sites[0])
    db.session.commit()
    login_as(a.worker)
    assert client.get("/worker/leaderboard").status_code == 404
    app.config["LEADERBOARD_FOR_WORKERS"] = True
    try:
        response = client.get("/worker/leaderboard")
    finally:
        app.config["LEADERBOARD_FOR_WORKERS"] = False
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.findall(r'data-person="(\d+)"', page) == [str(a.worker.id)]
