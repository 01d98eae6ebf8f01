"""The people list for assignment: scope, filters, and "assign all shown" (bounded, all or
nothing, idempotent)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Task
from app.services import assignment_list, campaigns
from app.services.localtime import today
from tests.factories import (
    make_checkin,
    make_household,
    make_task,
    make_user,
    make_visit,
)


def names(actor, **filters):
    query = assignment_list.people_query(actor, filters)
    return [u.display_name for u in db.session.scalars(query)]


@pytest.fixture
def crew(district):
    """Street a: riders and militia with different loads and activity; street b: a rider."""
    a, b = district.a, district.b
    crew = {
        "r1": make_user(
            area=a.community, force="rider", display_name="骑手一", phone="13800001111"
        ),
        "r2": make_user(area=a.grids[1], force="rider", display_name="骑手二", grids=[a.grids[1]]),
        "m1": make_user(area=a.street, force="militia", display_name="民兵一"),
        "gone": make_user(area=a.street, force="rider", display_name="离开", active=False),
        "b1": make_user(
            area=b.community, force="rider", display_name="乙骑手", phone="13800002222"
        ),
    }
    for _ in range(4):
        make_task(area=a.grids[1], assignees=[crew["r2"]])
    make_task(area=a.grids[0], assignees=[crew["m1"]])
    make_task(area=a.grids[0], assignees=[crew["m1"]], status="done")
    make_checkin(user=crew["r1"], site=a.sites[0])
    db.session.flush()
    return crew


def test_a_coordinator_sees_only_the_people_of_their_street(district, crew):
    a = district.a
    shown = names(a.coordinator)
    assert "乙骑手" not in shown and "离开" not in shown
    assert {"骑手一", "骑手二", "民兵一"} <= set(shown)
    assert "乙骑手" in names(district.b.coordinator)
    with pytest.raises(Forbidden):
        names(a.coordinator, area_id=district.b.street.id)
    # Searching another street's phone finds nobody.
    assert names(a.coordinator, q="13800002222") == []


def test_filters_force_area_activity_load_and_search(district, crew):
    a = district.a
    assert set(names(a.coordinator, force="rider")) == {"骑手一", "骑手二"}
    assert set(names(a.coordinator, area_id=a.grids[1].id)) == {"骑手二"}
    assert names(a.coordinator, active=True) == ["骑手一"]
    assert "骑手一" not in names(a.coordinator, active=False)
    assert names(a.coordinator, force="rider", load="heavy") == ["骑手二"]
    assert names(a.coordinator, force="militia", load="light") == ["民兵一"]
    assert names(a.coordinator, force="rider", load="none") == ["骑手一"]
    assert names(a.coordinator, q="骑手") == ["骑手一", "骑手二"]
    assert names(a.coordinator, q="0000-1111") == ["骑手一"]  # the phone, typed with a dash
    assert names(a.coordinator, q="111") == []  # three digits are no phone search
    assert names(a.coordinator, q="%") == []  # a wildcard is a character


def test_a_visit_or_a_report_makes_a_person_active(district, crew):
    a = district.a
    make_visit(user=crew["m1"], household=make_household(area=a.grids[0]))
    db.session.flush()
    assert set(names(a.coordinator, active=True)) == {"骑手一", "民兵一"}


def test_describe_masks_the_phone_and_counts_open_tasks(district, crew):
    a = district.a
    people = assignment_list.describe(a.coordinator, [crew["r1"], crew["r2"], crew["m1"]])
    assert people[0].masked_phone == "138****1111" and people[0].active_this_month
    assert [p.open_tasks for p in people] == [0, 4, 1]


def test_assign_all_shown_onto_a_task_is_idempotent(district, crew):
    a = district.a
    task = make_task(area=a.grids[1])
    filters = {"force": "rider", "task_id": task.id}
    first = assignment_list.assign_all(a.coordinator, filters)
    assert first == {"matched": 2, "added": 2, "already": 0, "tasks": 1}
    assert set(task.assignee_ids) == {crew["r1"].id, crew["r2"].id}
    again = assignment_list.assign_all(a.coordinator, filters)
    assert again == {"matched": 2, "added": 0, "already": 2, "tasks": 0}
    assert len(task.assignee_ids) == 2


def test_assign_all_is_all_or_nothing(district, crew):
    a = district.a
    task = make_task(area=a.grids[0])
    # 骑手二 works in grid 2 only: nobody goes onto grid 1's task.
    with pytest.raises(Invalid) as refused:
        assignment_list.assign_all(a.coordinator, {"force": "rider", "task_id": task.id})
    assert "骑手二" in str(refused.value.errors["task_id"])
    assert task.assignee_ids == []


def test_assign_all_refuses_past_the_limit(district, crew, monkeypatch):
    a = district.a
    task = make_task(area=a.grids[1])
    monkeypatch.setattr(assignment_list, "ASSIGN_ALL_MAX", 2)
    with pytest.raises(Invalid) as refused:
        assignment_list.assign_all(a.coordinator, {"task_id": task.id})
    assert "_schema" in refused.value.errors and task.assignee_ids == []
    assert assignment_list.assign_all(a.coordinator, {"force": "rider", "task_id": task.id})


def test_assign_all_never_reaches_another_street(district, crew):
    a, b = district.a, district.b
    foreign = make_task(area=b.grids[0])
    with pytest.raises(NotFound):
        assignment_list.assign_all(a.coordinator, {"force": "rider", "task_id": foreign.id})
    with pytest.raises(Forbidden):
        assignment_list.assign_all(a.coordinator, {"force": "rider", "grid_id": b.grids[0].id})
    own = make_task(area=b.grids[0])
    assignment_list.assign_all(b.coordinator, {"force": "rider", "task_id": own.id})
    assert own.assignee_ids == [crew["b1"].id]  # street b's coordinator: b's rider only


def test_one_target_exactly(district, crew):
    with pytest.raises(Invalid):
        assignment_list.assign_all(district.a.coordinator, {"force": "rider"})
    with pytest.raises(Invalid):
        assignment_list.assign_all(
            district.a.coordinator,
            {"force": "rider", "grid_id": district.a.grids[0].id, "task_id": 1},
        )


def test_assign_all_onto_a_grid_gives_the_grid(district, crew):
    a = district.a
    result = assignment_list.assign_all(
        a.coordinator, {"force": "militia", "grid_id": a.grids[0].id}
    )
    assert result["added"] == 1 and [g.id for g in crew["m1"].grids] == [a.grids[0].id]
    again = assignment_list.assign_all(
        a.coordinator, {"force": "militia", "grid_id": a.grids[0].id}
    )
    assert again["added"] == 0 and again["already"] == 1
    # 骑手二 lives in grid 2: grid 1 is outside their area, so nobody of the riders gets it.
    with pytest.raises(Invalid):
        assignment_list.assign_all(a.coordinator, {"force": "rider", "grid_id": a.grids[0].id})
    assert crew["r1"].grids == []


def _campaign(area, **extra):
    return {
        "title": "宣传",
        "kind": "rider_drop",
        "area_id": area.id,
        "starts_on": today(),
        "ends_on": today() + timedelta(days=20),
        "targets": {"leaflets": 50},
        **extra,
    }


def test_assign_all_onto_a_campaign_of_a_force_adds_each_their_own_task(district, crew):
    a = district.a
    campaign = campaigns.create_campaign(a.coordinator, _campaign(a.street, force="rider"))
    newcomer = make_user(area=a.community, force="rider", display_name="新骑手")
    result = assignment_list.assign_all(
        a.coordinator, {"force": "rider", "campaign_id": campaign.id}
    )
    assert result == {"matched": 3, "added": 1, "already": 2, "tasks": 1}
    mine = db.session.scalars(select(Task).where(Task.person_key == newcomer.id)).all()
    assert len(mine) == 1 and mine[0].assignee_ids == [newcomer.id] and mine[0].target_count == 50
    with pytest.raises(Invalid):  # militia on a riders' campaign: nobody
        assignment_list.assign_all(a.coordinator, {"campaign_id": campaign.id})


def test_assign_all_onto_a_grid_campaign_uses_the_grids_they_work(district, crew):
    a = district.a
    campaign = campaigns.create_campaign(a.coordinator, _campaign(a.community))
    by_grid = {t.area_id: t for t in campaign.scoped_tasks}
    result = assignment_list.assign_all(
        a.coordinator, {"area_id": a.grids[1].id, "campaign_id": campaign.id}
    )
    assert result["added"] == 1 and crew["r2"].id in by_grid[a.grids[1].id].assignee_ids
    assert crew["r2"].id not in by_grid[a.grids[0].id].assignee_ids
    with pytest.raises(Invalid):  # 骑手一 works no grid
        assignment_list.assign_all(a.coordinator, {"force": "rider", "campaign_id": campaign.id})
