"""`flask --app app purge-expired`: old positions coarsened, old warnings' phones erased, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import CheckIn, IdempotencyKey, RiskWarning, Visit
from app.models.base import utcnow
from tests.api.checkin_helpers import ago, body
from tests.factories import (
    make_checkin,
    make_household,
    make_idempotency_key,
    make_visit,
    make_warning,
)

PRECISE = (29.9012345, 121.5554321)
COARSE = (29.901, 121.555)


def _checkin(district, days_ago: float, position=PRECISE) -> CheckIn:
    return make_checkin(
        user=district.a.worker,
        site=district.a.sites[0],
        at=utcnow() - timedelta(days=days_ago),
        lat=position[0],
        lng=position[1],
        distance_m=12,
    )


def _visit(district, days_ago: float, position=PRECISE) -> Visit:
    return make_visit(
        user=district.a.worker,
        household=make_household(area=district.a.grids[0]),
        at=utcnow() - timedelta(days=days_ago),
        lat=position[0],
        lng=position[1],
    )


def _warning(
    district, created_days_ago: float, handled_days_ago: float | None = None
) -> RiskWarning:
    created = utcnow() - timedelta(days=created_days_ago)
    handled_after = (
        (created_days_ago - handled_days_ago) * 24 if handled_days_ago is not None else None
    )
    return make_warning(
        area=district.a.grids[0],
        at=created,
        handled_after=handled_after,
        result="dissuaded",
        phone="13912345678",
    )


def _positions(model) -> dict[int, tuple]:
    return {
        row.id: (row.lat, row.lng)
        for row in db.session.execute(select(model.id, model.lat, model.lng))
    }


def _phones() -> dict[int, str | None]:
    return dict(db.session.execute(select(RiskWarning.id, RiskWarning.phone)).all())


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["purge-expired", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_expired_coarsens_and_erases_what_is_past_its_period_once(app, district):
    old_checkins = [_checkin(district, 181) for _ in range(3)]
    recent_checkin = _checkin(district, 179)
    old_visit, recent_visit, no_fix = (
        _visit(district, 200),
        _visit(district, 30),
        _visit(district, 200, (None, None)),
    )
    handled_long_ago = _warning(district, created_days_ago=120, handled_days_ago=91)
    open_long_ago = _warning(district, created_days_ago=95)
    handled_lately = _warning(district, created_days_ago=120, handled_days_ago=89)
    recent = _warning(district, created_days_ago=10)
    db.session.commit()

    output = _run(app, "--batch-size", "2")
    assert "check-in positions coarsened: 3 " in output
    assert "visit positions coarsened: 1 " in output
    assert "warning phone numbers erased: 2 " in output

    checkins = _positions(CheckIn)
    assert (
        all(checkins[c.id] == COARSE for c in old_checkins)
        and checkins[recent_checkin.id] == PRECISE
    )
    visits = _positions(Visit)
    assert visits[old_visit.id] == COARSE and visits[recent_visit.id] == PRECISE
    assert visits[no_fix.id] == (None, None)
    phones = _phones()
    assert phones[handled_long_ago.id] is None and phones[open_long_ago.id] is None
    assert phones[handled_lately.id] == phones[recent.id] == "13912345678"

    again = _run(app)
    assert "check-in positions coarsened: 0 " in again and "visit positions coarsened: 0 " in again
    assert "warning phone numbers erased: 0 " in again
    assert _positions(CheckIn) == checkins and _positions(Visit) == visits and _phones() == phones


def test_purge_expired_periods_come_from_the_settings(app, district, monkeypatch):
    checkin = _checkin(district, 40)
    warning = _warning(district, created_days_ago=20)
    db.session.commit()
    monkeypatch.setitem(app.config, "CHECKIN_POSITION_RETENTION_DAYS", 30)
    monkeypatch.setitem(app.config, "WARNING_PHONE_RETENTION_DAYS", 14)
    output = _run(app)
    assert (
        "check-in positions coarsened: 1 " in output
        and "warning phone numbers erased: 1 " in output
    )
    assert _positions(CheckIn)[checkin.id] == COARSE and _phones()[warning.id] is None


def test_purge_expired_deletes_finished_jobs_past_their_period_once(app, district):
    from app.models import Job

    now = utcnow()

    def job(status, finished_days_ago):
        row = Job(
            kind="household_import",
            creator_id=district.a.coordinator.id,
            status=status,
            total=1,
            report={"created": 1},
            payload=None,
            finished_at=None
            if finished_days_ago is None
            else now - timedelta(days=finished_days_ago),
        )
        db.session.add(row)
        db.session.flush()
        return row.id

    job("done", 31), job("failed", 40)  # both past the 30 days
    recent, queued = job("done", 29), job("queued", None)
    db.session.commit()
    assert "finished jobs deleted: 2 " in _run(app)
    assert set(db.session.scalars(select(Job.id))) == {recent, queued}  # the two old ones are gone
    assert "finished jobs deleted: 0 " in _run(app)


def test_purge_expired_deletes_notifications_past_their_period_once(app, district):
    from app.models import Notification, NotificationDelivery, NotificationRecipient
    from tests.factories import make_notification

    now = utcnow()
    days = app.config["NOTIFICATION_RETENTION_DAYS"]
    people = [district.a.worker, district.a.coordinator]
    make_notification(recipients=people, at=now - timedelta(days=days + 1))
    kept = make_notification(recipients=people, at=now - timedelta(days=days - 1))
    db.session.commit()
    assert "notifications deleted: 1 " in _run(app)
    assert list(db.session.scalars(select(Notification.id))) == [kept.id]
    for model in (NotificationRecipient, NotificationDelivery):
        assert set(db.session.scalars(select(model.notification_id))) <= {kept.id}
    assert "notifications deleted: 0 " in _run(app)


def test_purge_expired_deletes_client_id_keys_past_their_period_once(app, district, api):
    """Keys older than IDEMPOTENCY_KEEP_DAYS go, in batches; newer ones (and their records) stay."""
    sent = [
        api.client.post(
            "/api/v1/checkins",
            headers=api._headers(district.a.worker),
            json=body(district.a.sites[0], 10 + i, captured_at=ago(hours=i)),
        ).get_json()
        for i in range(4)
    ]
    assert all("client_id" in answer for answer in sent), sent
    keys = db.session.scalars(select(IdempotencyKey).order_by(IdempotencyKey.record_id)).all()
    assert [key.record_id for key in keys] == [answer["id"] for answer in sent]
    for key, days in zip(keys, (31, 45, 29, 0), strict=True):
        key.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    kept = {sent[2]["client_id"], sent[3]["client_id"]}

    output = _run(app, "--batch-size", "1")
    assert "client_id keys deleted: 2" in output
    assert set(db.session.scalars(select(IdempotencyKey.client_id))) == kept
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 4  # records stay
    assert "client_id keys deleted: 0" in _run(app)
    # A retry of a kept key still answers its first record.
    again = api.client.post(
        "/api/v1/checkins",
        headers=api._headers(district.a.worker),
        json={
            **body(district.a.sites[0], 12, captured_at=ago(hours=2)),
            "client_id": sent[2]["client_id"],
        },
    )
    assert again.status_code == 200 and again.get_json()["id"] == sent[2]["id"]


def test_client_id_keys_are_kept_for_the_setting(app, district, monkeypatch):
    monkeypatch.setitem(app.config, "IDEMPOTENCY_KEEP_DAYS", 60)
    checkin = _checkin(district, 0)
    key = make_idempotency_key(record=checkin)
    key.created_at = utcnow() - timedelta(days=45)
    db.session.commit()
    assert "client_id keys deleted: 0" in _run(app)
    monkeypatch.setitem(app.config, "IDEMPOTENCY_KEEP_DAYS", 30)
    assert "client_id keys deleted: 1" in _run(app)
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
