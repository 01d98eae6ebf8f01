"""The worker's door-to-door phone pages: which households, in which order, for whom."""

import re
from datetime import UTC, datetime, timedelta

from app.services import visit_sheet
from tests.factories import make_household, make_user, make_visit
from tests.services.test_visits import door_task


def labels_in(page: str) -> list[str]:
    return re.findall(r'data-label="([^"]+)"', page)


def test_not_yet_visited_first_in_natural_order(district, login_as):
    grid, worker = district.a.grids[0], district.a.worker
    h = {
        label: make_household(area=grid, label=label)
        for label in ("12-1-101", "2-1-101", "2-1-102", "3-1-101", "9-9-9")
    }
    make_household(area=grid, label="1-1-101", unreachable=True, unreachable_reason="vacant")
    make_visit(household=h["2-1-101"], user=worker, outcome="reached")
    make_visit(household=h["3-1-101"], user=worker, outcome="not_home")
    make_visit(household=h["9-9-9"], user=worker, outcome="refused")
    make_visit(household=h["9-9-9"], user=worker, outcome="not_home")
    make_visit(
        household=h["12-1-101"],
        user=worker,
        outcome="reached",
        at=datetime.now(UTC) - timedelta(days=40),
    )  # last month: not this one
    page = login_as(worker).get(f"/visits/grids/{grid.id}").get_data(as_text=True)
    assert labels_in(page) == ["2-1-102", "12-1-101", "3-1-101", "9-9-9", "2-1-101"]
    assert 'data-visited="3" data-total="5"' in page
    assert "国家反诈中心APP" in page and 'id="visits-config"' in page


def test_search_by_building_on_the_server(district, login_as):
    grid = district.a.grids[0]
    for label in ("12-1-101", "12-2-101", "120-1-101", "2-1-101"):
        make_household(area=grid, label=label)
    page = login_as(district.a.worker).get(f"/visits/grids/{grid.id}?q=12-").get_data(as_text=True)
    assert labels_in(page) == ["12-1-101", "12-2-101"]


def test_task_page_counts_since_the_task_began(district, login_as):
    grid, worker = district.a.grids[0], district.a.worker
    task = door_task(grid, worker)
    task.starts_at = datetime.now(UTC) - timedelta(days=1)
    old, new = (
        make_household(area=grid, label="1-1-101"),
        make_household(area=grid, label="1-1-102"),
    )
    make_visit(
        household=old, user=worker, outcome="reached", at=datetime.now(UTC) - timedelta(days=2)
    )
    make_visit(household=new, user=worker, outcome="reached")
    page = login_as(worker).get(f"/visits/tasks/{task.id}").get_data(as_text=True)
    assert labels_in(page) == ["1-1-101", "1-1-102"]
    assert f'"task_id": {task.id}' in page


def test_home_lists_my_tasks_and_grids(district, login_as):
    worker = district.a.worker
    task = door_task(district.a.grids[1], worker)
    door_task(district.a.grids[1])  # someone else's
    page = login_as(worker).get("/visits").get_data(as_text=True)
    assert f"/visits/tasks/{task.id}" in page and page.count("/visits/tasks/") == 1
    assert (
        f"/visits/grids/{district.a.grids[0].id}" in page
        and f"/visits/grids/{district.a.grids[1].id}" in page
    )


def test_other_grids_and_tasks_are_not_found(district, login_as):
    client = login_as(district.a.worker)
    assert client.get(f"/visits/grids/{district.a.grids[1].id}").status_code == 404
    assert client.get(f"/visits/grids/{district.a.community.id}").status_code == 404
    assert client.get(f"/visits/tasks/{door_task(district.a.grids[0]).id}").status_code == 404


def test_leaders_do_not_record_visits(district, login_as):
    assert login_as(district.a.leader).get("/visits").status_code == 403


def test_coordinator_opens_a_grid_of_their_street(district, login_as):
    client = login_as(district.a.coordinator)
    assert client.get(f"/visits/grids/{district.a.grids[1].id}").status_code == 200
    assert client.get(f"/visits/grids/{district.b.grids[0].id}").status_code == 404


def test_logged_out_goes_to_login(client, district):
    response = client.get(f"/visits/grids/{district.a.grids[0].id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_month_start_is_shanghai_midnight(app):
    start = visit_sheet.month_start(
        datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    )  # already Dec 1st in Shanghai
    assert start == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_natural_key():
    assert sorted(["12-1-1", "2-1-1", "幸福里3幢", "幸福里12幢"], key=visit_sheet.natural_key) == [
        "2-1-1",
        "12-1-1",
        "幸福里3幢",
        "幸福里12幢",
    ]


def test_militia_sees_the_grid_of_their_task(district, login_as):
    militia = make_user(role="worker", area=district.a.community, force="militia")
    task = door_task(district.a.grids[1], militia)
    make_household(area=district.a.grids[1], label="5-5-505")
    client = login_as(militia)
    assert labels_in(client.get(f"/visits/tasks/{task.id}").get_data(as_text=True)) == ["5-5-505"]


def test_a_nul_in_the_search_is_not_an_error(district, login_as):
    response = login_as(district.a.worker).get(f"/visits/grids/{district.a.grids[0].id}?q=1%00")
    assert response.status_code == 200
