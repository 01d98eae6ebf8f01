"""Back-checks (倒查): a case whose household was visited, one whose was not, one with none."""

from datetime import date

import pytest

from app.errors import NotFound
from app.services import backchecks
from tests.factories import local, make_case, make_task, make_user, make_visit
from tests.services.coverage_helpers import build_march_district


@pytest.fixture
def march(app):
    m = build_march_district()
    m.police = make_user(role="worker", area=m.s1, force="police", display_name="民警老张")
    make_visit(household=m.h1, user=m.police, at=local(2026, 3, 21, 9))
    make_task(
        area=m.g1, kind="lecture", due_at=local(2026, 3, 10, 18), status="done", title="反诈讲座"
    )
    make_task(
        area=m.s1, kind="lecture", due_at=local(2026, 3, 12, 18), status="done", title="街道讲座"
    )
    make_task(
        area=m.g1, kind="lecture", due_at=local(2026, 2, 1, 18), status="done"
    )  # before the window
    make_task(area=m.g1, kind="lecture", due_at=local(2026, 3, 11, 18), status="open")  # not held
    make_task(
        area=m.g3, kind="lecture", due_at=local(2026, 3, 11, 18), status="done"
    )  # another street
    m.visited = make_case(area=m.c1, occurred_on=date(2026, 3, 25), household=m.h1)
    m.not_reached = make_case(area=m.c1, occurred_on=date(2026, 3, 25), household=m.h2)
    m.unknown = make_case(area=m.c1, occurred_on=date(2026, 3, 25))
    m.same_day = make_case(area=m.c1, occurred_on=date(2026, 3, 2), household=m.h1)
    m.west = make_case(area=m.c2, occurred_on=date(2026, 3, 25), household=m.h4)
    return m


def test_case_whose_household_was_visited(march):
    result = backchecks.for_case(march.admin, march.visited.id)
    assert (result["window_from"], result["window_to"]) == ("2026-02-23", "2026-03-24")
    household = result["household"]
    assert (
        household["known"]
        and household["visited"]
        and household["reached"]
        and household["ever_reached"]
    )
    assert household["police_visited"] is True
    assert [(v["at"].isoformat()[:10], v["outcome"]) for v in household["visits"]] == [
        ("2026-03-02", "reached"),
        ("2026-03-20", "reached"),
        ("2026-03-21", "reached"),
    ]
    assert (
        household["visits"][-1]["by"] == "民警老张" and household["visits"][-1]["force"] == "police"
    )
    assert result["grid"]["area_id"] == march.g1.id and result["grid"]["visits"] == 5
    assert result["lectures"]["held"] == 2
    assert {item["title"] for item in result["lectures"]["items"]} == {"反诈讲座", "街道讲座"}
    community = result["community"]
    assert community["area_id"] == march.c1.id and community["met_round_targets"] is False


def test_case_whose_household_was_never_reached(march):
    household = backchecks.for_case(march.admin, march.not_reached.id)["household"]
    assert household["visited"] is True and household["reached"] is False  # only "not home"
    assert household["ever_reached"] is False and household["police_visited"] is False


def test_case_without_household(march):
    result = backchecks.for_case(march.admin, march.unknown.id)
    assert result["household"]["known"] is False and result["grid"] is None


def test_visit_on_the_day_of_the_case_does_not_count(march):
    household = backchecks.for_case(march.admin, march.same_day.id)["household"]
    assert household["visits"] == [] and household["ever_reached"] is False


def test_scope(march):
    with pytest.raises(NotFound):
        backchecks.for_case(march.leader2, march.visited.id)
    assert backchecks.for_case(march.leader1, march.visited.id)["case_id"] == march.visited.id


def test_summary_counts_cases_from_households_never_reached(march):
    result = backchecks.summary(march.admin, None, date(2026, 3, 1), date(2026, 3, 31))
    assert result["cases"] == 5 and result["with_household"] == 4
    # never reached before their case: h2 (only "not home"), and h1 for its case of 2 March (its first
    # visit came later that day); h4 was reached on 27 February, inside the 30 days
    assert result["never_reached"] == 2
    assert result["not_reached_in_window"] == 2
    by_id = {item["case_id"]: item for item in result["items"]}
    assert (
        by_id[march.visited.id]["ever_reached"] is True
        and by_id[march.visited.id]["reached_in_window"] is True
    )
    assert by_id[march.unknown.id]["ever_reached"] is None


def test_summary_is_scoped(march):
    result = backchecks.summary(march.leader1, None, date(2026, 3, 1), date(2026, 3, 31))
    assert result["cases"] == 4 and result["area_id"] == march.s1.id


def test_backcheck_api(api, march):
    response = api.get(f"/cases/{march.visited.id}/backcheck", user=march.leader1)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["household"]["police_visited"] is True
    assert api.get(f"/cases/{march.visited.id}/backcheck", user=march.leader2).status_code == 404
