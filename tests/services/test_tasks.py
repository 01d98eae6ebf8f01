"""Tasks: who sees and changes them, who may be assigned, bulk assignment and reassignment."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import AuditEvent
from app.models.base import utcnow
from app.services import assignments, task_progress, tasks
from tests.factories import make_area, make_checkin, make_task, make_user


def _data(grid, **extra):
    return {
        "title": "检查点位",
        "kind": "site_check",
        "area_id": grid.id,
        "due_at": utcnow() + timedelta(days=3),
        **extra,
    }


def _ids(actor, **args):
    return {t.id for t in db.session.scalars(tasks.list_tasks(actor, args))}


def test_create_defaults_to_the_grids_workers_and_its_sites(district):
    a = district.a
    task = tasks.create_task(a.coordinator, _data(a.grids[0]))
    assert task.assignee_ids == [a.worker.id] and task.target_count == 1 and task.status == "open"
    explicit = tasks.create_task(
        a.coordinator,
        _data(a.grids[0], assignee_ids=[], site_ids=[a.sites[0].id], targets={"site_visits": 3}),
    )
    assert (
        explicit.assignee_ids == []
        and explicit.site_ids == [a.sites[0].id]
        and explicit.target_count == 3
    )


def test_create_refuses_bad_references_naming_the_field(district):
    a = district.a
    with pytest.raises(Invalid) as error:
        tasks.create_task(a.coordinator, _data(a.community))
    assert "area_id" in error.value.errors
    with pytest.raises(Invalid) as error:
        tasks.create_task(a.coordinator, _data(a.grids[0], site_ids=[a.sites[1].id]))
    assert "site_ids" in error.value.errors
    with pytest.raises(Invalid) as error:
        tasks.create_task(a.coordinator, _data(a.grids[0], kind="lecture"))
    assert "target_count" in error.value.errors
    with pytest.raises(Invalid) as error:
        tasks.create_task(a.coordinator, _data(a.grids[0], due_at=utcnow() - timedelta(days=3)))
    assert "due_at" in error.value.errors


def test_assignees_must_be_people_of_the_coordinators_area_working_in_the_grid(district):
    a, b = district.a, district.b
    with pytest.raises(Forbidden) as error:
        tasks.create_task(a.coordinator, _data(a.grids[0], assignee_ids=[b.worker.id]))
    assert "assignee_ids" in error.value.errors
    with pytest.raises(Forbidden):
        tasks.create_task(a.coordinator, _data(a.grids[0], assignee_ids=[999999]))
    elsewhere = make_area(name="甲街道二社区", level="community", parent=a.street)
    neighbour = make_user(role="worker", area=elsewhere, force="volunteer")
    with pytest.raises(Invalid) as error:
        tasks.create_task(a.coordinator, _data(a.grids[0], assignee_ids=[neighbour.id]))
    assert "assignee_ids" in error.value.errors
    with pytest.raises(Invalid):
        tasks.create_task(a.coordinator, _data(a.grids[0], assignee_ids=[a.coordinator.id]))
    task = tasks.create_task(
        a.coordinator, _data(a.grids[0], assignee_ids=[a.police.id, a.worker.id])
    )
    assert task.assignee_ids == [
        a.police.id,
        a.worker.id,
    ]  # street police work in every grid of the street


def test_scoping_matrix(district):
    a, b = district.a, district.b
    own = make_task(area=a.grids[0])
    neighbour_grid = make_task(area=a.grids[1])
    assigned = make_task(area=a.grids[1], assignees=[a.worker], title="assigned")
    foreign = make_task(area=b.grids[0])
    assert _ids(a.coordinator) == {own.id, neighbour_grid.id, assigned.id}
    assert _ids(a.leader) == {own.id, neighbour_grid.id, assigned.id}
    assert _ids(a.worker) == {own.id, assigned.id}
    assert _ids(a.worker, mine=True) == {own.id, assigned.id}
    assert _ids(b.worker) == {foreign.id}
    assert _ids(district.admin) >= {own.id, foreign.id}
    with pytest.raises(NotFound):
        tasks.get_task(a.coordinator, foreign.id)
    with pytest.raises(NotFound):
        tasks.get_task(a.worker, neighbour_grid.id)
    with pytest.raises(Forbidden):
        tasks.update_task(a.leader, own, {"title": "x"})
    with pytest.raises(Forbidden):
        tasks.update_task(a.worker, own, {"status": "done"})
    with pytest.raises(Forbidden):
        tasks.create_task(a.coordinator, _data(b.grids[0]))
    with pytest.raises(Forbidden):
        tasks.create_task(a.leader, _data(a.grids[0]))


def test_coordinators_set_statuses_along_the_allowed_paths(district):
    a = district.a
    task = make_task(area=a.grids[0])
    assert tasks.update_task(a.coordinator, task, {"status": "cancelled"}).status == "cancelled"
    with pytest.raises(Invalid) as error:
        tasks.update_task(a.coordinator, task, {"status": "done"})
    assert "status" in error.value.errors
    assert tasks.update_task(a.coordinator, task, {"status": "open"}).status == "open"
    assert tasks.update_task(a.coordinator, task, {"status": "done"}).status == "done"
    assert (
        db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "task.update", AuditEvent.object_id == task.id
            )
        )
        is not None
    )


def test_overdue_is_derived_and_filterable(district):
    a = district.a
    late = make_task(area=a.grids[0], due_at=utcnow() - timedelta(hours=1))
    finished_late = make_task(area=a.grids[0], due_at=utcnow() - timedelta(hours=1), status="done")
    on_time = make_task(area=a.grids[0])
    assert late.is_overdue() and not finished_late.is_overdue() and not on_time.is_overdue()
    assert _ids(a.coordinator, overdue=True) == {late.id}


def test_status_filter_sees_statuses_the_evidence_settled(district):
    a = district.a
    task = make_task(area=a.grids[0], target_count=1, sites=[a.sites[0]])
    make_checkin(user=a.worker, site=a.sites[0], task=task)
    task_progress.settle_tasks([task.id])  # as the check-in's writer does
    assert _ids(a.coordinator, status="done") == {task.id}
    assert _ids(a.coordinator, status="open") == set()


def test_reports_come_from_assignees_of_reportable_tasks(district):
    a = district.a
    lecture = make_task(area=a.grids[0], kind="lecture", assignees=[a.worker])
    with pytest.raises(Forbidden):
        tasks.report_count(a.police, lecture, {"count": 1})
    site = make_task(area=a.grids[0], kind="site_check", assignees=[a.worker])
    with pytest.raises(Invalid):
        tasks.report_count(a.worker, site, {"count": 1})
    tasks.report_count(a.worker, lecture, {"count": 1, "client_id": "same-client-id"})
    other = make_task(area=a.grids[0], kind="stall", assignees=[a.worker])
    with pytest.raises(Conflict):
        tasks.report_count(a.worker, other, {"count": 1, "client_id": "same-client-id"})


def test_bulk_assign_riders_of_a_community_to_every_rider_drop_task(district):
    a = district.a
    riders = [make_user(role="worker", area=a.community, force="rider") for _ in range(2)]
    grid_rider = make_user(role="worker", area=a.grids[1], force="rider")
    make_user(role="worker", area=district.b.community, force="rider")
    drops = [
        make_task(area=g, kind="rider_drop", assignees=[a.worker] if g is a.grids[0] else [])
        for g in a.grids
    ]
    door = make_task(area=a.grids[0], kind="door_to_door")
    result = assignments.bulk_assign(
        a.coordinator, {"area_id": a.community.id, "force": "rider", "kind": "rider_drop"}
    )
    assert result == {"tasks": 2, "added": 5, "people": 3}
    assert drops[0].assignee_ids == [a.worker.id] + [r.id for r in riders]
    assert drops[1].assignee_ids == [r.id for r in riders] + [
        grid_rider.id
    ]  # a grid's rider only gets that grid
    assert door.assignee_ids == []
    again = assignments.bulk_assign(
        a.coordinator, {"area_id": a.community.id, "force": "rider", "kind": "rider_drop"}
    )
    assert again["added"] == 0
    replaced = assignments.bulk_assign(
        a.coordinator,
        {"area_id": a.community.id, "force": "rider", "kind": "rider_drop", "mode": "replace"},
    )
    assert replaced["tasks"] == 1 and drops[0].assignee_ids == [r.id for r in riders]
    with pytest.raises(Forbidden):
        assignments.bulk_assign(
            a.coordinator,
            {"area_id": district.b.community.id, "force": "rider", "kind": "rider_drop"},
        )
    with pytest.raises(Invalid):
        assignments.bulk_assign(a.coordinator, {"area_id": a.community.id, "force": "rider"})


def test_reassign_moves_unfinished_tasks_when_someone_leaves(district):
    a = district.a
    successor = make_user(role="worker", area=a.community)
    g1_only = make_user(role="worker", area=a.grids[1])
    open_task = make_task(area=a.grids[0], assignees=[a.worker])
    done_task = make_task(area=a.grids[0], assignees=[a.worker], status="done")
    result = assignments.reassign(
        a.coordinator, {"from_user_id": a.worker.id, "to_user_id": successor.id}
    )
    assert result == {"tasks": 1, "skipped": []}
    assert open_task.assignee_ids == [successor.id] and done_task.assignee_ids == [a.worker.id]
    result = assignments.reassign(
        a.coordinator, {"from_user_id": successor.id, "to_user_id": g1_only.id}
    )
    assert result == {"tasks": 1, "skipped": [open_task.id]} and open_task.assignee_ids == []
    with pytest.raises(Forbidden):
        assignments.reassign(
            a.coordinator, {"from_user_id": district.b.worker.id, "to_user_id": None}
        )
