"""Every audited change says what changed, old → new, whoever writes it."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.factories import make_task


def _last(action: str) -> AuditEvent:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).first()


def test_site_area_household_and_task_changes_carry_old_and_new(api, district):
    a = district.a
    site = a.sites[0]
    old_name, old_radius = site.name, site.radius_m
    assert (
        api.patch(
            f"/sites/{site.id}", user=a.coordinator, json={"name": "新名字", "radius_m": 150}
        ).status_code
        == 200
    )
    assert _last("site.update").detail == {
        "fields": ["name", "radius_m"],
        "changes": {
            "name": {"old": old_name, "new": "新名字"},
            "radius_m": {"old": old_radius, "new": 150},
        },
    }

    old_area = a.grids[0].name
    assert (
        api.patch(
            f"/areas/{a.grids[0].id}", user=a.coordinator, json={"name": "一号网格"}
        ).status_code
        == 200
    )
    assert _last("area.update").detail["changes"] == {"name": {"old": old_area, "new": "一号网格"}}

    task = make_task(area=a.grids[0], title="旧任务")
    db.session.commit()
    response = api.patch(
        f"/tasks/{task.id}",
        user=a.coordinator,
        json={"title": "新任务", "assignee_ids": [a.worker.id]},
    )
    assert response.status_code == 200, response.get_json()
    assert _last("task.update").detail["changes"] == {
        "title": {"old": "旧任务", "new": "新任务"},
        "assignee_ids": {"old": [], "new": [a.worker.id]},
    }


def test_bulk_assignment_is_audited_per_task_old_to_new(api, district):
    a = district.a
    task = make_task(area=a.grids[0], kind="site_check")
    db.session.commit()
    response = api.post(
        "/tasks/bulk-assign",
        user=a.coordinator,
        json={"area_id": a.community.id, "force": "grid_worker", "kind": "site_check"},
    )
    assert response.status_code == 200, response.get_json()
    event = _last("task.bulk_assign")
    assert event.detail["changes"] == {
        f"task {task.id} assignee_ids": {"old": [], "new": [a.worker.id]}
    }
    assert event.detail["fields"] == [f"task {task.id} assignee_ids"]
