"""Campaigns: fan-out to every grid, default assignees, due times in Asia/Shanghai, the monthly roll."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, AuditEvent, Campaign
from app.services import campaigns
from app.services.access import subtree_clause
from tests.factories import make_area, make_household, make_site, make_user


def _data(area, **extra):
    return {
        "title": "十一月入户宣传",
        "kind": "door_to_door",
        "area_id": area.id,
        "starts_on": date(2026, 11, 1),
        "ends_on": date(2026, 11, 30),
        "targets": {"household_rounds": 1},
        **extra,
    }


def _grids_under(area):
    return db.session.scalar(
        select(func.count()).where(subtree_clause(Area.path, area.path), Area.level == "grid")
    )


@pytest.mark.parametrize("where", ["street", "community", "grid"])
def test_fan_out_makes_one_task_per_grid_under_the_area(district, where):
    a = district.a
    extra = make_area(name="甲街道二社区", level="community", parent=a.street)
    make_area(name="二社区网格1", level="grid", parent=extra)
    area = {"street": a.street, "community": a.community, "grid": a.grids[1]}[where]
    campaign = campaigns.create_campaign(a.coordinator, _data(area))
    assert (
        len(campaign.scoped_tasks)
        == _grids_under(area)
        == {"street": 3, "community": 2, "grid": 1}[where]
    )
    assert {t.area_id for t in campaign.scoped_tasks} == set(
        db.session.scalars(
            select(Area.id).where(subtree_clause(Area.path, area.path), Area.level == "grid")
        )
    )
    assert all(
        t.campaign_id == campaign.id and t.kind == "door_to_door" for t in campaign.scoped_tasks
    )


def test_default_assignees_are_the_grids_own_grid_workers(district):
    a = district.a
    make_user(
        role="worker", area=a.community, force="militia", grids=[a.grids[1]]
    )  # a grid, but not a grid worker
    second = make_user(role="worker", area=a.community, grids=[a.grids[1]])
    make_user(role="worker", area=a.community, grids=[a.grids[1]], active=False)
    campaign = campaigns.create_campaign(a.coordinator, _data(a.community))
    by_grid = {t.area_id: t.assignee_ids for t in campaign.scoped_tasks}
    assert by_grid == {a.grids[0].id: [a.worker.id], a.grids[1].id: [second.id]}


def test_due_at_is_the_end_of_the_last_day_in_shanghai(district):
    campaign = campaigns.create_campaign(district.a.coordinator, _data(district.a.community))
    task = campaign.scoped_tasks[0]
    assert task.due_at == datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC)  # 23:59:59 +08:00
    assert task.starts_at == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 00:00 +08:00


def test_targets_per_grid_come_from_households_and_sites(district):
    a = district.a
    for label in ("1-1-101", "1-1-102", "1-1-103"):
        make_household(area=a.grids[0], label=label)
    make_household(area=a.grids[0], label="1-1-104", unreachable=True)
    door = campaigns.create_campaign(
        a.coordinator, _data(a.community, targets={"household_rounds": 2})
    )
    targets = {t.area_id: t.target_count for t in door.scoped_tasks}
    assert targets == {
        a.grids[0].id: 6,
        a.grids[1].id: 200,
    }  # rows counted; else the declared 100 households
    make_site(area=a.grids[1], kind="poster")
    sites = campaigns.create_campaign(
        a.coordinator, _data(a.community, kind="site_check", targets={"site_visits": 2})
    )
    assert {t.area_id: t.target_count for t in sites.scoped_tasks} == {
        a.grids[0].id: 2,
        a.grids[1].id: 4,
    }
    poster = campaigns.create_campaign(
        a.coordinator, _data(a.community, kind="poster", targets={"site_visits": 1})
    )
    assert {t.area_id: t.target_count for t in poster.scoped_tasks} == {
        a.grids[0].id: 0,
        a.grids[1].id: 1,
    }


def test_a_coordinator_cannot_start_a_campaign_in_another_street(district):
    with pytest.raises(Forbidden):
        campaigns.create_campaign(district.a.coordinator, _data(district.b.street))
    with pytest.raises(Forbidden):
        campaigns.create_campaign(district.a.worker, _data(district.a.community))
    with pytest.raises(Forbidden):
        campaigns.create_campaign(district.a.leader, _data(district.a.community))


def test_bad_campaigns_name_the_field(district):
    coordinator = district.a.coordinator
    with pytest.raises(Invalid) as error:
        campaigns.create_campaign(coordinator, _data(district.a.street, ends_on=date(2026, 10, 1)))
    assert "ends_on" in error.value.errors
    with pytest.raises(Invalid) as error:
        campaigns.create_campaign(
            coordinator, _data(district.a.street, kind="rider_drop", targets={})
        )
    assert "targets" in error.value.errors
    empty = make_area(name="空社区", level="community", parent=district.a.street)
    with pytest.raises(Invalid) as error:
        campaigns.create_campaign(coordinator, _data(empty))
    assert "area_id" in error.value.errors


def test_a_community_coordinator_sees_a_street_campaign_with_only_their_tasks(district):
    a = district.a
    other = make_area(name="甲街道二社区", level="community", parent=a.street)
    make_area(name="二社区网格1", level="grid", parent=other)
    campaign = campaigns.create_campaign(a.coordinator, _data(a.street))
    local = make_user(role="coordinator", area=a.community)
    seen = campaigns.get_campaign(local, campaign.id)
    assert {t.area_id for t in seen.scoped_tasks} == {g.id for g in a.grids}
    assert campaign.id in [c.id for c in db.session.scalars(campaigns.list_campaigns(local))]
    assert campaign.id not in [
        c.id for c in db.session.scalars(campaigns.list_campaigns(district.b.coordinator))
    ]
    with pytest.raises(NotFound):
        campaigns.get_campaign(district.b.coordinator, campaign.id)
    with pytest.raises(Forbidden):
        campaigns.list_campaigns(a.worker)


def test_monthly_roll_creates_next_month_once(district):
    a = district.a
    campaign = campaigns.create_campaign(a.coordinator, _data(a.community, repeat_monthly=True))
    rider = make_user(role="worker", area=a.community, force="rider")
    campaign.scoped_tasks[1].assignees.append(rider)
    assert campaigns.roll_campaigns(date(2026, 11, 30)) == []  # still running
    rolled = campaigns.roll_campaigns(date(2026, 12, 1))
    assert len(rolled) == 1
    december = rolled[0]
    assert (december.starts_on, december.ends_on, december.previous_id) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
        campaign.id,
    )
    assert {t.area_id: t.assignee_ids for t in december.tasks} == {
        a.grids[0].id: [a.worker.id],
        a.grids[1].id: [rider.id],
    }  # carried over from November
    assert december.tasks[0].due_at == datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)
    assert campaigns.roll_campaigns(date(2026, 12, 1)) == []
    assert campaigns.roll_campaigns(date(2026, 12, 2)) == []
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 2
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "campaign.roll")) == 1


def test_roll_catches_up_to_the_current_month_and_keeps_month_ends(district):
    a = district.a
    campaign = campaigns.create_campaign(
        a.coordinator,
        _data(
            a.community, repeat_monthly=True, starts_on=date(2026, 1, 10), ends_on=date(2026, 1, 31)
        ),
    )
    rolled = campaigns.roll_campaigns(date(2026, 3, 15))
    assert [(c.starts_on, c.ends_on, c.previous_id) for c in rolled] == [
        (date(2026, 3, 10), date(2026, 3, 31), campaign.id)
    ]
    assert campaigns.add_months(date(2026, 1, 31), 1, True) == date(2026, 2, 28)
    assert campaigns.add_months(date(2026, 1, 30), 1, False) == date(2026, 2, 28)
    assert campaigns.add_months(date(2026, 12, 15), 1, False) == date(2027, 1, 15)


def test_campaigns_that_do_not_repeat_are_not_rolled(district):
    campaigns.create_campaign(district.a.coordinator, _data(district.a.community))
    assert campaigns.roll_campaigns(date(2027, 1, 1)) == []
