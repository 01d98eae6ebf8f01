"""The page kit: one submit (a domain error answers its own status on the page), one pager for
every list (tests/unit/test_layers.py keeps the blueprints apart)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import event, func, select

from app.blueprints.coordinate.checkins import MAP_LIMIT
from app.extensions import db
from app.models import AuditEvent, CheckIn, Site, Task
from app.models.base import utcnow
from app.services.access import filter_by_scope
from app.services.warnings.board import LIST_LIMIT
from tests.api.checkin_helpers import body
from tests.factories import (
    make_area,
    make_case,
    make_checkin,
    make_household,
    make_site,
    make_task,
    make_warning,
)


def _writes_during(call):
    writes = []
    bind = db.session.get_bind()

    def watch(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(bind, "before_cursor_execute", watch)
    try:
        return call(), writes
    finally:
        event.remove(bind, "before_cursor_execute", watch)


def test_re_approving_a_checkin_answers_409_with_the_reason_and_writes_nothing(
    api, client, login_as, district
):
    a = district.a
    flagged = api.post(
        "/checkins", user=a.worker, json=body(a.sites[0], accuracy_m=None)
    ).get_json()
    login_as(a.coordinator)
    path = f"/coordinate/checkins/{flagged['id']}/review"
    assert client.post(path, data={"decision": "approve"}).status_code == 302
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again, writes = _writes_during(lambda: client.post(path, data={"decision": "approve"}))
    assert again.status_code == 409
    assert "只有待审核的签到才需审核" in again.get_data(as_text=True)
    assert writes == []
    db.session.expire_all()
    assert db.session.get(CheckIn, flagged["id"]).status == "accepted"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audits


def test_a_wrong_field_answers_422_on_every_form(client, login_as, district):
    login_as(district.a.coordinator)
    for path in (
        "/coordinate/sites",
        "/coordinate/areas",
        "/coordinate/users",
        "/coordinate/households",
        "/coordinate/campaigns",
        "/coordinate/warnings",
    ):
        response = client.post(path, data={})
        assert response.status_code == 422, path
        assert 'class="errors"' in response.get_data(as_text=True), path


def _site_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'/coordinate/sites/(\d+)"', html)}


def test_the_sites_page_pages_through_every_site_with_its_filter(client, login_as, district):
    a = district.a
    for n in range(60):
        make_site(area=a.grids[0], name=f"点位{n:03d}")
    db.session.commit()
    total = db.session.scalar(
        select(func.count()).select_from(
            filter_by_scope(select(Site.id), a.coordinator, Site.area_id).subquery()
        )
    )
    login_as(a.coordinator)
    first = client.get("/coordinate/sites?per_page=50")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and f'data-total="{total}"' in html
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "page=2" in next_link and "per_page=50" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert len(_site_ids(html)) == 50 and not _site_ids(html) & _site_ids(second)
    assert len(_site_ids(html) | _site_ids(second)) == total
    filtered = client.get(f"/coordinate/sites?area_id={a.grids[0].id}&per_page=10").get_data(
        as_text=True
    )
    assert f"area_id={a.grids[0].id}" in re.search(r'rel="next" href="([^"]+)"', filtered).group(1)
    assert client.get("/coordinate/sites?page=0").status_code == 422


def test_a_worker_sees_every_task_a_page_at_a_time_and_home_says_how_many(
    client, login_as, district
):
    a = district.a
    made = {
        make_task(area=a.grids[0], assignees=[a.worker], title=f"任务{n:03d}").id for n in range(55)
    }
    db.session.commit()
    login_as(a.worker)
    first = client.get("/worker/tasks").get_data(as_text=True)
    second = client.get("/worker/tasks?page=2").get_data(as_text=True)
    shown = {int(i) for page in (first, second) for i in re.findall(r'/worker/tasks/(\d+)"', page)}
    assert made <= shown and 'rel="next"' in first
    home = client.get("/").get_data(as_text=True)
    assert 'id="more-tasks"' in home and "/worker/tasks" in home


def test_the_cases_page_pages_its_list_and_keeps_the_period(client, login_as, district):
    a = district.a
    made = {make_case(area=a.community, occurred_on=date(2026, 3, day)).id for day in range(1, 6)}
    db.session.commit()
    login_as(a.coordinator)
    first = client.get("/dashboard/cases?from=2026-03-01&to=2026-03-31&per_page=2").get_data(
        as_text=True
    )
    assert 'data-total="5"' in first
    pages = [first]
    while 'rel="next"' in pages[-1]:
        link = re.search(r'rel="next" href="([^"]+)"', pages[-1]).group(1).replace("&amp;", "&")
        assert "from=2026-03-01" in link
        pages.append(client.get(link).get_data(as_text=True))
    listed = {int(i) for page in pages for i in re.findall(r'/dashboard/cases/(\d+)"', page)}
    assert len(pages) == 3 and listed == made


def test_the_warning_board_says_how_many_are_overdue_past_its_list(client, login_as, district):
    a = district.a
    for _ in range(LIST_LIMIT + 3):
        make_warning(area=a.grids[0], at=utcnow() - timedelta(hours=2), hours=1)
    db.session.commit()
    login_as(a.coordinator)
    page = client.get("/coordinate/warnings/board").get_data(as_text=True)
    assert 'id="escalated-more"' in page and f"{LIST_LIMIT + 3}" in page
    board = client.get("/api/v1/warnings/board").get_json()
    assert len(board["escalated"]) == LIST_LIMIT and board["escalated_total"] == LIST_LIMIT + 3


def test_row_forms_answer_their_refusal(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    household = make_household(area=a.grids[0], label="1-1-101")
    task = make_task(area=a.grids[0], status="cancelled")
    db.session.commit()
    bad_reason = client.post(
        f"/coordinate/households/{household.id}/reachability", data={"reason": "flooded"}
    )
    assert bad_reason.status_code == 422 and 'data-field="reason"' in bad_reason.get_data(
        as_text=True
    )
    not_allowed = client.post(f"/coordinate/tasks/{task.id}/status", data={"status": "done"})
    assert not_allowed.status_code == 422
    assert "不允许变更为该状态" in not_allowed.get_data(as_text=True)
    assert (
        client.post(f"/coordinate/tasks/{task.id}/status", data={"status": "nonsense"}).status_code
        == 422
    )
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "cancelled"


def test_the_login_form_answers_422_when_a_field_is_missing(client):
    response = client.post("/login", data={"username": ""})
    assert response.status_code == 422


def test_the_check_in_map_says_how_many_it_leaves_out(client, login_as, district):
    a = district.a
    for _ in range(MAP_LIMIT + 5):
        make_checkin(user=a.worker, site=a.sites[0])
    db.session.commit()
    login_as(a.coordinator)
    page = client.get("/coordinate/checkins/map").get_data(as_text=True)
    cap = re.search(r'<span id="map-cap">([^<]+)</span>', page).group(1)
    assert f"{MAP_LIMIT}" in cap and f"{MAP_LIMIT + 5}" in cap


def test_the_visits_page_pages_the_grids_of_a_manager(client, login_as, district):
    a = district.a
    made = {make_area(name=f"网格{n:03d}", level="grid", parent=a.community).id for n in range(55)}
    db.session.commit()
    login_as(a.coordinator)
    first = client.get("/visits").get_data(as_text=True)
    assert 'rel="next"' in first
    second = client.get("/visits?page=2").get_data(as_text=True)
    listed = {int(i) for page in (first, second) for i in re.findall(r'/visits/grids/(\d+)"', page)}
    assert made <= listed
