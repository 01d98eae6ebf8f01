"""Campaigns of a force: one task per active person of that force in the area, with the target."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import Invalid
from app.extensions import db
from app.models import Task
from app.services import campaigns, tasks
from tests.factories import make_user


def _rider_campaign(area, **extra):
    return {
        "title": "骑手送单宣传",
        "kind": "rider_drop",
        "area_id": area.id,
        "starts_on": date(2026, 11, 1),
        "ends_on": date(2026, 11, 30),
        "targets": {"leaflets": 300},
        "force": "rider",
        **extra,
    }


def _riders(street):
    return [
        make_user(role="worker", area=street.street, force="rider"),
        make_user(role="worker", area=street.community, force="rider"),
        make_user(role="worker", area=street.grids[0], force="rider", grids=[street.grids[0]]),
    ]


def test_each_rider_gets_exactly_one_task_with_the_target(district):
    a = district.a
    riders = _riders(a)
    make_user(role="worker", area=a.street, force="rider", active=False)  # left: no task
    make_user(role="worker", area=a.street, force="militia")
    make_user(role="worker", area=district.b.street, force="rider")  # another street
    campaign = campaigns.create_campaign(a.coordinator, _rider_campaign(a.street))
    made = campaign.scoped_tasks
    assert sorted(t.assignee_ids[0] for t in made) == sorted(r.id for r in riders)
    assert all(len(t.assignee_ids) == 1 for t in made)
    assert {t.target_count for t in made} == {300}
    assert {t.targets["leaflets"] for t in made} == {300}
    assert {t.assignee_ids[0]: t.area_id for t in made} == {r.id: r.area_id for r in riders}
    for rider in riders:  # each sees one task: theirs, not their grid's or a colleague's
        mine = db.session.scalars(tasks.visible_tasks(rider).where(Task.campaign_id == campaign.id))
        assert [t.assignee_ids for t in mine] == [[rider.id]]
    grid_worker_sees = db.session.scalars(
        tasks.visible_tasks(a.worker).where(Task.campaign_id == campaign.id)
    ).all()
    assert grid_worker_sees == []


def test_no_one_of_the_force_names_the_field(district):
    with pytest.raises(Invalid) as error:
        campaigns.create_campaign(
            district.a.coordinator, _rider_campaign(district.a.street, force="enterprise_officer")
        )
    assert "force" in error.value.errors


def test_the_monthly_roll_fans_out_to_the_people_of_next_month(district):
    a = district.a
    first, second, _third = _riders(a)
    campaign = campaigns.create_campaign(
        a.coordinator, _rider_campaign(a.street, repeat_monthly=True)
    )
    second.active = False  # left in November
    newcomer = make_user(role="worker", area=a.community, force="rider")
    rolled = campaigns.roll_campaigns(date(2026, 12, 1))
    assert len(rolled) == 1 and rolled[0].force == "rider"
    people = sorted(t.assignee_ids[0] for t in rolled[0].tasks)
    assert second.id not in people and newcomer.id in people and first.id in people
    assert campaigns.roll_campaigns(date(2026, 12, 1)) == []
    assert db.session.scalar(select(func.count()).where(Task.campaign_id == campaign.id)) == 3


def test_post_campaigns_with_a_force_over_http(api, district):
    a = district.a
    riders = _riders(a)
    body = {
        "title": "骑手送单宣传",
        "kind": "rider_drop",
        "area_id": a.street.id,
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
        "targets": {"leaflets": 200},
        "force": "rider",
    }
    response = api.post("/campaigns", user=a.coordinator, json=body)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["force"] == "rider"
    assert sorted(t["assignee_ids"] for t in answer["tasks"]) == [[r.id] for r in riders]
    assert {t["progress"]["target"] for t in answer["tasks"]} == {200}
    for rider in riders:
        mine = api.get(f"/tasks?mine=1&campaign_id={answer['id']}", user=rider).get_json()
        assert [t["assignee_ids"] for t in mine["items"]] == [[rider.id]]
    bad = api.post("/campaigns", user=a.coordinator, json={**body, "force": "astronaut"})
    assert bad.status_code == 422 and "force" in bad.get_json()["errors"]["json"]


def test_the_campaign_page_offers_one_task_per_person(district, login_as):
    a = district.a
    _riders(a)
    client = login_as(a.coordinator)
    response = client.post(
        "/coordinate/campaigns",
        data={
            "title": "骑手送单宣传",
            "kind": "rider_drop",
            "area_id": a.street.id,
            "force": "rider",
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "leaflets": "100",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    made = db.session.scalars(select(Task).where(Task.person_key != 0)).all()
    assert len(made) == 3 and {t.target_count for t in made} == {100}


def test_the_assignment_page_draws_no_table_past_a_screen(district, login_as):
    a = district.a
    riders = _riders(a)
    per_person = campaigns.create_campaign(a.coordinator, _rider_campaign(a.street))
    client = login_as(a.coordinator)
    page = client.get(f"/coordinate/campaigns/{per_person.id}/assign").get_data(as_text=True)
    assert 'id="matrix-note"' in page and 'class="matrix"' not in page
    by_grid = campaigns.create_campaign(
        a.coordinator, _rider_campaign(a.street, force=None, title="按网格")
    )
    small = client.get(f"/coordinate/campaigns/{by_grid.id}/assign").get_data(as_text=True)
    assert 'class="matrix"' in small
    for i in range(1001):  # 2 grids × 1,000+ people: past the 2,000 cells a screen holds
        make_user(role="worker", area=a.street, force="militia", username=f"m{i}x")
    db.session.flush()
    big = client.get(f"/coordinate/campaigns/{by_grid.id}/assign").get_data(as_text=True)
    assert 'class="matrix"' not in big and 'id="matrix-note"' in big
    filtered = client.get(f"/coordinate/campaigns/{by_grid.id}/assign?force=rider")
    assert 'class="matrix"' in filtered.get_data(as_text=True) and len(riders) == 3


def test_bulk_assign_to_a_campaign_of_a_force_gives_each_their_own_task(district):
    """The older "assign a force" form on a campaign of a force: newcomers get a task of their
    own, nobody joins a colleague's, and a rider's own task never goes to anyone else."""
    from app.services import assignments
    from app.services.localtime import today

    a = district.a
    riders = _riders(a)
    running = {"starts_on": today(), "ends_on": today()}
    campaign = campaigns.create_campaign(a.coordinator, _rider_campaign(a.street, **running))
    newcomer = make_user(role="worker", area=a.community, force="rider")
    order = {"area_id": a.street.id, "force": "rider", "campaign_id": campaign.id}
    result = assignments.bulk_assign(a.coordinator, order)
    assert result == {"tasks": 1, "added": 1, "people": 4}
    made = db.session.scalars(select(Task).where(Task.campaign_id == campaign.id)).all()
    assert sorted(t.assignee_ids for t in made) == sorted([[p.id] for p in [*riders, newcomer]])
    assert assignments.bulk_assign(a.coordinator, order)["added"] == 0
    # By kind, the riders' own tasks are left alone (before, every rider joined each of them).
    by_kind = assignments.bulk_assign(
        a.coordinator, {"area_id": a.street.id, "force": "rider", "kind": "rider_drop"}
    )
    assert by_kind["added"] == 0
    assert all(len(t.assignee_ids) == 1 for t in made)
    with pytest.raises(Invalid) as other_force:
        assignments.bulk_assign(a.coordinator, {**order, "force": "militia"})
    assert "force" in other_force.value.errors
    with pytest.raises(Invalid) as replace:
        assignments.bulk_assign(a.coordinator, {**order, "mode": "replace"})
    assert "mode" in replace.value.errors
