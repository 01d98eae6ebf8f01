"""Risk warnings: deadlines per level and time zone, who sees them, masking, outcomes, escalation."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import AuditEvent
from app.models.base import utcnow
from app.services.localtime import to_local
from app.services.warnings import handling
from tests.factories import local, make_user


def _warn(actor, grid, level="high", now=None, **extra):
    data = {
        "level": level,
        "area_id": grid.id,
        "subject_label": "王某（72岁）",
        "phone": "138 0013 1234",
        **extra,
    }
    return handling.create_warning(actor, data, now=now)


def _ids(actor, **args):
    return [w.id for w in db.session.scalars(handling.list_warnings(actor, args))]


@pytest.mark.parametrize(("level", "hours"), [("high", 2), ("medium", 24), ("low", 72)])
def test_deadline_follows_the_level(district, level, hours):
    warning = _warn(district.a.police, district.a.grids[0], level)
    assert warning.deadline_at - warning.created_at == timedelta(hours=hours)


def test_deadline_of_a_warning_entered_at_half_past_eleven_at_night(district):
    entered = local(2026, 11, 5, 23, 30)
    assert entered == datetime(2026, 11, 5, 15, 30, tzinfo=UTC)
    high = _warn(district.a.police, district.a.grids[0], "high", now=entered)
    medium = _warn(district.a.police, district.a.grids[0], "medium", now=entered)
    assert to_local(high.deadline_at).strftime("%Y-%m-%d %H:%M %z") == "2026-11-06 01:30 +0800"
    assert to_local(medium.deadline_at).strftime("%Y-%m-%d %H:%M") == "2026-11-06 23:30"


def test_the_deadline_hours_are_configurable(app, district):
    app.config["WARNING_DEADLINE_HOURS"] = {"high": 1, "medium": 12, "low": 48}
    try:
        warning = _warn(district.a.police, district.a.grids[0], "low")
    finally:
        app.config["WARNING_DEADLINE_HOURS"] = {"high": 2, "medium": 24, "low": 72}
    assert warning.deadline_at - warning.created_at == timedelta(hours=48)


def test_who_enters_warnings(district):
    a = district.a
    assert _warn(a.coordinator, a.grids[0]).phone == "13800131234"
    with pytest.raises(Forbidden):
        _warn(a.worker, a.grids[0])
    with pytest.raises(Forbidden):
        _warn(a.leader, a.grids[0])
    with pytest.raises(Forbidden):
        _warn(a.police, district.b.grids[0])
    with pytest.raises(Invalid) as error:
        _warn(a.police, a.community)
    assert "area_id" in error.value.errors
    with pytest.raises(Invalid) as error:
        _warn(a.police, a.grids[0], phone="call me")
    assert "phone" in error.value.errors


def test_a_grid_worker_sees_the_warnings_of_their_grids_only(district):
    a, b = district.a, district.b
    mine = _warn(a.police, a.grids[0])
    neighbour = _warn(a.police, a.grids[1])
    foreign = _warn(b.police, b.grids[0])
    assert _ids(a.worker) == [mine.id]
    assert (
        set(_ids(a.police))
        == set(_ids(a.coordinator))
        == set(_ids(a.leader))
        == {mine.id, neighbour.id}
    )
    assert _ids(b.worker) == [foreign.id]
    with pytest.raises(NotFound):
        handling.get_warning(a.worker, neighbour.id)
    with pytest.raises(NotFound):
        handling.get_warning(a.coordinator, foreign.id)


def test_open_first_then_soonest_deadline_and_overdue_filter(district):
    a = district.a
    now = utcnow()
    low = _warn(a.police, a.grids[0], "low", now=now)
    late = _warn(a.police, a.grids[0], "high", now=now - timedelta(hours=3))
    high = _warn(a.police, a.grids[0], "high", now=now)
    handled = _warn(a.police, a.grids[0], "high", now=now - timedelta(hours=5))
    handling.record_outcome(a.worker, handled, {"result": "dissuaded"})
    assert _ids(a.worker) == [late.id, high.id, low.id, handled.id]
    assert _ids(a.worker, overdue=True) == [late.id]
    assert _ids(a.worker, status="handled") == [handled.id]


def test_masking_and_the_audit_of_full_numbers(district):
    a = district.a
    warning = _warn(a.police, a.grids[0])
    assert handling.mask_phone("13800131234") == "138****1234"
    for viewer in (a.worker, a.coordinator, a.leader):
        assert handling.present(viewer, [warning])[0].phone_shown == "138****1234"
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "warning.reveal_phone"))
        is None
    )
    assert handling.present(a.police, [warning])[0].phone_shown == "13800131234"
    assert handling.present(district.admin, [warning])[0].phone_shown == "13800131234"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "warning.reveal_phone")
    ).all()
    assert [(e.actor_id, e.detail["warning_ids"]) for e in events] == [
        (a.police.id, [warning.id]),
        (district.admin.id, [warning.id]),
    ]
    assert all("13800131234" not in str(e.detail) for e in events)
    assert handling.present(a.police, [warning], full_numbers=False)[0].phone_shown == "138****1234"


def test_reveal_is_for_police_and_admins_and_always_audited(district):
    a = district.a
    warning = _warn(a.police, a.grids[0])
    assert handling.reveal_phone(a.police, warning) == "13800131234"
    with pytest.raises(Forbidden):
        handling.reveal_phone(a.coordinator, warning)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "warning.reveal_phone"))
    assert (event.actor_id, event.object_id, event.detail["via"]) == (
        a.police.id,
        warning.id,
        "reveal",
    )


def test_outcomes_once_with_position_and_by_the_right_people(district):
    a = district.a
    warning = _warn(a.police, a.grids[0])
    with pytest.raises(Forbidden):
        handling.record_outcome(a.leader, warning, {"result": "dissuaded"})
    other = make_user(role="worker", area=a.community, grids=[a.grids[1]])
    with pytest.raises(Forbidden):
        handling.record_outcome(other, warning, {"result": "dissuaded"})
    with pytest.raises(Invalid):
        handling.record_outcome(a.worker, warning, {"result": "dissuaded", "lat": 29.9})
    done = handling.record_outcome(
        a.worker,
        warning,
        {"result": "already_defrauded", "note": "已转账", "lat": 29.9, "lng": 121.55},
    )
    assert (done.status, done.handled_by_id, done.handled_lat) == ("handled", a.worker.id, 29.9)
    assert (
        handling.record_outcome(
            a.worker, warning, {"result": "already_defrauded", "note": "已转账"}
        )
        is done
    )
    with pytest.raises(Conflict):
        handling.record_outcome(a.worker, warning, {"result": "dissuaded"})


def test_escalation_goes_from_grid_to_community_to_street(district):
    warning = _warn(district.a.police, district.a.grids[0], "high", now=local(2026, 11, 5, 9))
    assert handling.escalation(warning, local(2026, 11, 5, 10, 59)) == "grid"
    assert handling.escalation(warning, local(2026, 11, 5, 11, 1)) == "community"
    assert handling.escalation(warning, local(2026, 11, 5, 13, 1)) == "street"
    handling.record_outcome(district.a.worker, warning, {"result": "dissuaded"})
    assert handling.escalation(warning, local(2026, 11, 5, 13, 1)) is None
