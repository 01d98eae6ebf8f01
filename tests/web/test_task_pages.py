"""Coordinator campaign and assignment pages."""

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Campaign
from app.models.base import utcnow
from tests.factories import make_campaign, make_task, make_user

FORM = {
    "title": "十一月入户宣传",
    "kind": "door_to_door",
    "starts_on": "2026-11-01",
    "ends_on": "2026-11-30",
    "household_rounds": "1",
}


def test_coordinator_creates_a_campaign_and_sees_its_tasks(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    assert client.get("/coordinate/campaigns").status_code == 200
    response = client.post("/coordinate/campaigns", data={**FORM, "area_id": a.community.id})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == FORM["title"]))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert a.grids[0].name in page and a.grids[1].name in page and a.worker.display_name in page
    assert "2026-11-30 23:59" in page  # due at the end of the last day, Shanghai time
    listing = client.get("/coordinate/campaigns").get_data(as_text=True)
    assert FORM["title"] in listing and f"/coordinate/campaigns/{campaign.id}/assign" in listing


def test_campaign_form_errors_are_shown_on_the_fields(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/campaigns",
        data={
            **FORM,
            "area_id": district.a.community.id,
            "kind": "rider_drop",
            "household_rounds": "",
        },
    )
    assert response.status_code == 422 and 'data-field="leaflets"' not in response.get_data(
        as_text=True
    )
    assert "此类活动必须填写每个网格发放传单数" in response.get_data(
        as_text=True
    )  # in words, not codes
    other_street = client.post(
        "/coordinate/campaigns", data={**FORM, "area_id": district.b.street.id}
    )
    assert other_street.status_code == 403  # outside the coordinator's area, as in the API


def test_other_streets_campaigns_are_not_found_and_workers_are_kept_out(client, login_as, district):
    campaign_task = make_task(area=district.b.grids[0])
    campaign = make_campaign(
        area=district.b.street,
        title="乙",
        kind="site_check",
        starts_on=utcnow().date(),
        ends_on=utcnow().date(),
    )
    campaign_task.campaign_id = campaign.id
    db.session.commit()
    login_as(district.a.coordinator)
    assert client.get(f"/coordinate/campaigns/{campaign.id}").status_code == 404
    assert client.get(f"/coordinate/campaigns/{campaign.id}/assign").status_code == 404
    assert (
        client.post(
            f"/coordinate/tasks/{campaign_task.id}/status", data={"status": "done"}
        ).status_code
        == 404
    )
    client.post("/logout")
    login_as(district.a.worker)
    assert client.get("/coordinate/campaigns").status_code == 403


def _campaign(client, district):
    client.post(
        "/coordinate/campaigns",
        data={
            **FORM,
            "kind": "rider_drop",
            "leaflets": "300",
            "area_id": district.a.community.id,
            "household_rounds": "",
        },
    )
    return db.session.scalar(select(Campaign).order_by(Campaign.id.desc()))


def test_assignment_table_saves_ticks_and_bulk_assigns_riders(client, login_as, district):
    a = district.a
    riders = [make_user(role="worker", area=a.community, force="rider") for _ in range(2)]
    make_user(role="worker", area=district.b.community, force="rider")
    db.session.commit()
    login_as(a.coordinator)
    campaign = _campaign(client, district)
    tasks = sorted(campaign.tasks, key=lambda t: t.area.path)
    page = client.get(f"/coordinate/campaigns/{campaign.id}/assign?force=rider").get_data(
        as_text=True
    )
    assert riders[0].display_name in page and f'value="{tasks[1].id}:{riders[0].id}"' in page
    data = {
        "task": [t.id for t in tasks],
        "person": [r.id for r in riders],
        "force": "rider",
        "cell": [f"{tasks[1].id}:{riders[0].id}"],
    }
    assert client.post(f"/coordinate/campaigns/{campaign.id}/assign", data=data).status_code == 302
    db.session.expire_all()
    assert [t.assignee_ids for t in tasks] == [
        [a.worker.id],
        [riders[0].id],
    ]  # the hidden grid worker stays
    response = client.post(
        f"/coordinate/campaigns/{campaign.id}/bulk-assign",
        data={
            "bulk-area_id": a.community.id,
            "bulk-force": "rider",
            "bulk-kind": "",
            "bulk-mode": "add",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [t.assignee_ids for t in tasks] == [
        [a.worker.id, *[r.id for r in riders]],
        [r.id for r in riders],
    ]
    handed = client.post(
        f"/coordinate/campaigns/{campaign.id}/reassign",
        data={"handover-from_user_id": riders[1].id, "handover-to_user_id": ""},
    )
    assert handed.status_code == 302
    db.session.expire_all()
    assert all(riders[1].id not in t.assignee_ids for t in tasks)


def test_assignment_table_refuses_people_of_another_street(client, login_as, district):
    login_as(district.a.coordinator)
    campaign = _campaign(client, district)
    task = campaign.tasks[0]
    data = {
        "task": [task.id],
        "person": [district.b.worker.id],
        "cell": [f"{task.id}:{district.b.worker.id}"],
    }
    assert client.post(f"/coordinate/campaigns/{campaign.id}/assign", data=data).status_code == 403


def test_coordinator_marks_a_task_done_and_cancels_one(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    campaign = _campaign(client, district)
    first, second = campaign.tasks
    client.post(f"/coordinate/tasks/{first.id}/status", data={"status": "done"})
    client.post(f"/coordinate/tasks/{second.id}/status", data={"status": "cancelled"})
    db.session.expire_all()
    assert (first.status, second.status) == ("done", "cancelled")


def test_a_garbled_assignment_table_is_refused_on_its_field(client, login_as, district):
    """The table loads through AssignmentTableSchema: a cell that is no "task:person", or a ticked
    cell outside the rows sent, answers 422 naming `cell` and changes nothing."""
    a = district.a
    campaign = make_campaign(
        area=a.community, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)
    )
    task = make_task(area=a.grids[0], campaign=campaign)
    login_as(a.coordinator)
    path = f"/coordinate/campaigns/{campaign.id}/assign"
    for cell in ("x:y", f"{task.id + 1000}:{a.worker.id}"):
        data = {"task": [task.id], "person": [a.worker.id], "cell": [cell]}
        response = client.post(path, data=data)
        assert response.status_code == 422, cell
        assert 'data-field="cell"' in response.get_data(as_text=True), cell
    db.session.expire_all()
    assert a.worker.id not in task.assignee_ids
