"""Notifications in the app: the badge on every page, the list, marking read; and the task and
check-in events that write them."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, NotificationRecipient
from app.services import checkins, tasks
from app.services.warnings import handling
from tests.factories import local, make_checkin, make_notification


def _badge(html: str) -> int:
    found = re.search(r'id="unread-count"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else 0


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_the_badge_counts_unread_and_the_list_marks_them_read(client, login_as, district):
    worker = district.a.worker
    make_notification(recipients=[worker], title="新任务：入户宣传")
    make_notification(recipients=[worker], title="新任务：张贴海报")
    make_notification(recipients=[district.b.worker], title="别人的")
    db.session.commit()
    login_as(worker)
    home = client.get("/").get_data(as_text=True)
    assert _badge(home) == 2
    listing = client.get("/notifications")
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "private" in listing.headers["Cache-Control"]
    assert "入户宣传" in page and "张贴海报" in page and "别人的" not in page
    assert _badge(client.get("/notifications").get_data(as_text=True)) == 2  # reading is pure
    first = db.session.scalar(select(Notification).where(Notification.title.contains("入户")))
    answer = client.post(
        "/notifications/read",
        data={"id": str(first.id), "next": "/worker/tasks", "csrf_token": _csrf(page)},
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/worker/tasks")
    assert _badge(client.get("/").get_data(as_text=True)) == 1
    client.post("/notifications/read", data={"csrf_token": _csrf(page)})
    assert _badge(client.get("/").get_data(as_text=True)) == 0
    other = db.session.scalar(
        select(NotificationRecipient).where(NotificationRecipient.user_id == district.b.worker.id)
    )
    assert other.read_at is None  # someone else's stays unread


def test_marking_read_goes_only_to_pages_of_this_site(client, login_as, district):
    make_notification(recipients=[district.a.worker])
    db.session.commit()
    login_as(district.a.worker)
    page = client.get("/notifications").get_data(as_text=True)
    answer = client.post(
        "/notifications/read", data={"next": "https://evil.example/", "csrf_token": _csrf(page)}
    )
    assert answer.status_code == 302 and "evil" not in answer.headers["Location"]


def test_coordinators_see_the_badge_too(client, login_as, district):
    make_notification(recipients=[district.a.coordinator])
    db.session.commit()
    login_as(district.a.coordinator)
    assert _badge(client.get("/").get_data(as_text=True)) == 1


def _told(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .join(NotificationRecipient)
            .where(NotificationRecipient.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_a_task_assigned_tells_its_new_assignees_only(district):
    a = district.a
    task = tasks.create_task(
        a.coordinator,
        {
            "title": "入户宣传",
            "kind": "door_to_door",
            "area_id": a.grids[0].id,
            "assignee_ids": [a.worker.id],
            "due_at": local(2030, 1, 1, 18),
        },
    )
    assert _told(a.worker) == ["task_assigned"]
    tasks.update_task(a.coordinator, task, {"assignee_ids": [a.worker.id, a.police.id]})
    assert _told(a.worker) == ["task_assigned"] and _told(a.police) == ["task_assigned"]


def test_a_check_in_rejected_on_review_tells_its_author(district):
    a = district.a
    checkin = make_checkin(user=a.worker, site=a.sites[0], status="flagged", reason="accuracy")
    checkins.review_checkin(a.coordinator, checkin, "reject", "照片与点位不符，电话 13800131234")
    (notification,) = db.session.scalars(select(Notification)).all()
    assert notification.kind == "checkin_rejected" and _told(a.worker) == ["checkin_rejected"]
    assert "照片与点位不符" in notification.text and "13800131234" not in notification.text


def test_a_warning_tells_its_grid_workers_in_the_app(client, login_as, district):
    a = district.a
    handling.create_warning(
        a.police,
        {
            "level": "high",
            "area_id": a.grids[0].id,
            "subject_label": "王某",
            "phone": "13800131234",
        },
    )
    db.session.commit()
    login_as(a.worker)
    page = client.get("/notifications").get_data(as_text=True)
    assert "王某" in page and "13800131234" not in page and "/worker/warnings/" in page
