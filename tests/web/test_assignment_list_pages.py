"""The people list for assignment as a page: filters, paging, masked phones, links to the person
page and the hand-over, "assign all shown", and the campaign page pointing at it."""

from datetime import timedelta

from app.extensions import db
from app.services import campaigns
from app.services.localtime import today
from tests.factories import make_task, make_user


def _riders(street, n):
    return [
        make_user(
            area=street.community, force="rider", display_name=f"骑手{i:03d}", phone=f"139{i:08d}"
        )
        for i in range(n)
    ]


def test_the_list_filters_pages_and_links(client, login_as, district):
    a = district.a
    riders = _riders(a, 60)
    make_task(area=a.grids[0], assignees=[riders[0]])
    make_user(area=district.b.community, force="rider", display_name="乙骑手")
    db.session.commit()
    login_as(a.coordinator)
    page = client.get("/coordinate/assign?force=rider")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert html.count("data-user-id=") == 50 and 'data-total="60"' in html
    assert "139****0000" in html and "13900000000" not in html
    assert f"/dashboard/people/{riders[0].id}" in html
    assert f"/coordinate/people/{riders[0].id}/hand-over" in html
    assert f"/coordinate/people/{riders[1].id}/hand-over" not in html  # nothing to hand over
    assert "乙骑手" not in html
    second = client.get("/coordinate/assign?force=rider&page=2").get_data(as_text=True)
    assert second.count("data-user-id=") == 10
    assert client.get("/coordinate/assign?load=lots").status_code == 422
    assert client.get(f"/coordinate/assign?area_id={district.b.street.id}").status_code == 403


def test_assign_all_shown_from_the_page(client, login_as, district):
    a = district.a
    riders = _riders(a, 3)
    task = make_task(area=a.grids[0])
    db.session.commit()
    login_as(a.coordinator)
    url = f"/coordinate/assign?force=rider&task_id={task.id}"
    form = client.get(url).get_data(as_text=True)
    assert f'<option selected value="{task.id}">' in form or f'value="{task.id}" selected' in form
    data = {
        "force": "rider",
        "area_id": "",
        "active": "",
        "load": "",
        "q": "",
        "task_id": task.id,
        "campaign_id": "",
        "grid_id": "",
    }
    done = client.post(url, data=data)
    assert done.status_code == 302 and "force=rider" in done.headers["Location"]
    db.session.expire_all()
    assert sorted(task.assignee_ids) == sorted(r.id for r in riders)
    again = client.post(url, data=data, follow_redirects=True)
    assert "3 人已在其中" in again.get_data(as_text=True)
    nothing = client.post(url, data={**data, "task_id": ""})
    assert nothing.status_code == 422


def test_hand_over_from_a_row(client, login_as, district):
    a = district.a
    leaving, taking = _riders(a, 2)
    task = make_task(area=a.grids[0], assignees=[leaving])
    db.session.commit()
    login_as(a.coordinator)
    page = client.get(f"/coordinate/people/{leaving.id}/hand-over").get_data(as_text=True)
    assert taking.display_name in page and "1 项未完成任务" in page
    done = client.post(f"/coordinate/people/{leaving.id}/hand-over", data={"to_user_id": taking.id})
    assert done.status_code == 302
    db.session.expire_all()
    assert task.assignee_ids == [taking.id]
    other = district.b.worker
    assert client.get(f"/coordinate/people/{other.id}/hand-over").status_code == 403


def test_the_campaign_page_sends_big_sets_to_the_list(client, login_as, district):
    a = district.a
    _riders(a, 13)
    db.session.commit()
    campaign = campaigns.create_campaign(
        a.coordinator,
        {
            "title": "入户",
            "kind": "door_to_door",
            "area_id": a.community.id,
            "starts_on": today(),
            "ends_on": today() + timedelta(days=9),
        },
    )
    db.session.commit()
    login_as(a.coordinator)
    big = client.get(f"/coordinate/campaigns/{campaign.id}/assign").get_data(as_text=True)
    assert 'class="matrix"' not in big and 'id="people-list"' in big
    assert 'name="handover-from_user_id"' not in big  # no 2,000-option select
    small = client.get(f"/coordinate/campaigns/{campaign.id}/assign?force=grid_worker").get_data(
        as_text=True
    )
    assert 'class="matrix"' in small
    overview = client.get(f"/coordinate/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/coordinate/assign?task_id={campaign.scoped_tasks[0].id}" in overview
