"""A campaign or a task may require a photo: the check-in (or visit) without one is recorded all
the same, but counts for the task only once a photo is added (PATCH within a day settles it)."""

from __future__ import annotations

from app import qr
from app.extensions import db
from app.models import Campaign, Task
from tests.api.checkin_helpers import body as checkin_body
from tests.api.test_hostile_strings import visit_body
from tests.factories import make_household, make_photo, make_task


def _progress(api, user, task_id):
    db.session.expire_all()
    answer = api.get(f"/tasks/{task_id}", user=user).get_json()
    return answer["progress"]["done"], answer["status"]


def test_a_checkin_without_a_photo_counts_once_one_is_added(api, district):
    worker, site = district.a.worker, district.a.sites[0]
    task = make_task(
        area=site.area, assignees=[worker], sites=[site], target_count=1, photo_required=True
    )
    db.session.commit()
    response = api.post("/checkins", user=worker, json=checkin_body(site, task_id=task.id))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "accepted"  # recorded: the photo never blocks the check-in
    assert _progress(api, worker, task.id) == (0, "open")
    photo = make_photo(user=worker)
    db.session.commit()
    amended = api.patch(f"/checkins/{created['id']}", user=worker, json={"photo_ids": [photo.id]})
    assert amended.status_code == 200, amended.get_json()
    assert _progress(api, worker, task.id) == (1, "done")


def test_an_unlinked_checkin_at_the_tasks_site_needs_the_photo_too(api, district):
    worker, site = district.a.worker, district.a.sites[0]
    strict = make_task(area=site.area, sites=[site], target_count=2, photo_required=True)
    loose = make_task(area=site.area, sites=[site], target_count=2)
    db.session.commit()
    assert api.post("/checkins", user=worker, json=checkin_body(site)).status_code == 201
    assert _progress(api, worker, strict.id)[0] == 0
    assert _progress(api, worker, loose.id)[0] == 1
    other = district.a.police  # another worker: a second scan by the first would be flagged
    photo = make_photo(user=other)
    db.session.commit()
    with_photo = api.post("/checkins", user=other, json=checkin_body(site, photo_ids=[photo.id]))
    assert with_photo.status_code == 201 and with_photo.get_json()["status"] == "accepted", (
        with_photo.get_json()
    )
    # the same site on the same day counts once either way; the photo made it count for `strict`
    assert _progress(api, worker, strict.id) == (1, "in_progress")
    assert _progress(api, worker, loose.id)[0] == 1


def test_a_door_to_door_visit_counts_once_its_doorway_photo_arrives(api, district):
    worker, grid = district.a.worker, district.a.grids[0]
    task = make_task(
        area=grid, kind="door_to_door", assignees=[worker], target_count=1, photo_required=True
    )
    household = make_household(area=grid)
    db.session.commit()
    response = api.post("/visits", user=worker, json=visit_body(household, task_id=task.id))
    assert response.status_code == 201, response.get_json()
    assert _progress(api, worker, task.id) == (0, "open")
    photo = make_photo(user=worker)
    db.session.commit()
    visit_id = response.get_json()["id"]
    amended = api.patch(f"/visits/{visit_id}", user=worker, json={"photo_ids": [photo.id]})
    assert amended.status_code == 200, amended.get_json()
    assert _progress(api, worker, task.id) == (1, "done")


def test_campaign_and_task_carry_the_flag(api, district):
    a = district.a
    body = {
        "title": "点位巡查",
        "kind": "site_check",
        "area_id": a.community.id,
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
        "targets": {"site_visits": 1},
        "photo_required": True,
    }
    response = api.post("/campaigns", user=a.coordinator, json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["photo_required"] is True
    assert all(task["photo_required"] for task in created["tasks"])
    task_id = created["tasks"][0]["id"]
    patched = api.patch(f"/tasks/{task_id}", user=a.coordinator, json={"photo_required": False})
    assert patched.status_code == 200 and patched.get_json()["photo_required"] is False
    bad = api.post("/campaigns", user=a.coordinator, json={**body, "photo_required": "maybe"})
    assert bad.status_code == 422 and "photo_required" in bad.get_json()["errors"]["json"]
    plain = api.post("/campaigns", user=a.coordinator, json={**body, "photo_required": False})
    assert plain.get_json()["photo_required"] is False


def test_the_campaign_page_sets_it_and_the_phone_page_says_so(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    form = {
        "title": "海报点位",
        "kind": "site_check",
        "area_id": a.community.id,
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
        "site_visits": "1",
        "photo_required": "y",
        "force": "",
    }
    page = client.post("/coordinate/campaigns", data=form)
    assert page.status_code in (200, 302, 303), page.get_data(as_text=True)[:2000]
    campaign = db.session.query(Campaign).filter_by(title="海报点位").one()
    assert campaign.photo_required and all(t.photo_required for t in campaign.tasks)
    site = a.sites[0]
    task = db.session.query(Task).filter_by(campaign_id=campaign.id, area_id=site.area_id).one()
    task.assignees = [a.worker]
    db.session.commit()
    login_as(a.worker)
    html = client.get(f"/c/{qr.site_token(site)}").get_data(as_text=True)
    assert "photo-required" in html
