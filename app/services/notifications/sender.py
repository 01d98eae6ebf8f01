"""The sender (`flask --app app send-notifications`): finds the reminders and escalations whose
time has come, claims due deliveries, sends each through its channel, and marks it.

Claims: on PostgreSQL a batch is taken with SELECT ... FOR UPDATE SKIP LOCKED, so two senders
never take the same row; on SQLite a batch is taken by one conditional UPDATE ... RETURNING (only
rows still ready are taken, and SQLite runs one writer at a time). No transaction is held while a message is on the wire. A row whose
sender died mid-send stays `sending` and is taken again after NOTIFY_CLAIM_SECONDS (a receiver
may then see it twice: the `X-GridReach-Delivery` header, or the SMS `id`, is the same both
times); a failed send is tried again after a back-off that doubles, up to NOTIFY_MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Notification, NotificationDelivery, NotificationRecipient, RiskWarning, User
from app.models.base import utcnow
from app.services.jobs import poll_loop
from app.services.localtime import to_local
from app.services.notifications import events
from app.services.notifications.channels import (
    DeliveryError,
    Message,
    Recipient,
    channel_for,
    default_channel,
)
from app.services.warnings.handling import escalation

log = logging.getLogger(__name__)
BATCH = 20


def stage_of(warning: RiskWarning, now: datetime) -> str | None:
    """The latest reminder or escalation due for an open warning at `now` (None: none yet)."""
    stage = escalation(warning, now)
    if stage in ("community", "street"):
        return stage
    span, passed = warning.deadline_at - warning.created_at, now - warning.created_at
    if passed >= span * 0.9:
        return "due_soon"
    if passed >= span * 0.5:
        return "half"
    return None


def plan_due(now: datetime) -> int:
    """Write the reminders and escalations whose time has come, once each; how many were written.
    Only the latest stage is written: a sender that was down does not send stale reminders."""
    longest = max(current_app.config["WARNING_DEADLINE_HOURS"].values())
    open_ = db.session.scalars(
        select(RiskWarning)
        .where(
            RiskWarning.status == "open", RiskWarning.deadline_at <= now + timedelta(hours=longest)
        )
        .options(selectinload(RiskWarning.area))
    ).all()
    due = [(w, stage) for w in open_ if (stage := stage_of(w, now))]
    if not due:
        db.session.commit()  # ends the read
        return 0
    written = set(
        db.session.scalars(
            select(Notification.dedupe_key).where(
                Notification.warning_id.in_([w.id for w, _ in due])
            )
        )
    )
    count = 0
    for warning, stage in due:
        if f"warning:{warning.id}:{stage}" not in written:
            count += events.warning_stage(warning, stage, now) is not None
    db.session.commit()
    return count


def _ready(now: datetime):
    stale = now - timedelta(seconds=current_app.config["NOTIFY_CLAIM_SECONDS"])
    D = NotificationDelivery
    return or_(
        and_(D.status == "pending", D.due_at <= now),
        and_(D.status == "sending", D.claimed_at < stale),
    )


def claim(now: datetime, limit: int = BATCH) -> list[tuple[int, int]]:
    """Take up to `limit` due deliveries for this sender: [(id, attempt)]."""
    D = NotificationDelivery
    query = select(D.id, D.attempts).where(_ready(now)).order_by(D.due_at, D.id).limit(limit)
    taken = {"status": "sending", "claimed_at": now, "attempts": D.attempts + 1}
    if db.session.get_bind().dialect.name == "postgresql":
        rows = db.session.execute(query.with_for_update(skip_locked=True)).all()
        if rows:
            db.session.execute(update(D).where(D.id.in_([r.id for r in rows])).values(**taken))
        db.session.commit()
        return [(r.id, r.attempts + 1) for r in rows]
    # SQLite: one conditional UPDATE takes the candidates still ready; writers are serialised, so
    # a row taken by another sender meanwhile is no longer ready and is not returned here.
    ids = [r.id for r in db.session.execute(query).all()]
    rows = []
    if ids:
        rows = db.session.execute(
            update(D).where(D.id.in_(ids), _ready(now)).values(**taken).returning(D.id, D.attempts)
        ).all()
    db.session.commit()
    return sorted((r.id, r.attempts) for r in rows)


def _message(delivery: NotificationDelivery) -> Message:
    notification = delivery.notification
    people = select(User).join(NotificationRecipient, NotificationRecipient.user_id == User.id)
    people = people.where(NotificationRecipient.notification_id == notification.id)
    if delivery.user_id is not None:
        people = people.where(User.id == delivery.user_id)
    return Message(
        kind=notification.kind,
        title=notification.title,
        text=notification.text,
        recipients=[
            Recipient(u.id, u.username, u.display_name)
            for u in db.session.scalars(people.order_by(User.id))
        ],
        warning_id=notification.warning_id,
        deadline_at=to_local(notification.deadline_at).isoformat()
        if notification.deadline_at
        else None,
        delivery_key=f"gridreach-{delivery.id}",
    )


def backoff(attempt: int) -> timedelta:
    config = current_app.config
    seconds = config["NOTIFY_RETRY_SECONDS"] * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, config["NOTIFY_RETRY_MAX_SECONDS"]))


def deliver(delivery_id: int, attempt: int, now: datetime | None = None) -> str:
    """Send one claimed delivery and mark it: `sent`, `retry`, `failed` or `lost` (taken over)."""
    delivery = db.session.get(NotificationDelivery, delivery_id)
    message, channel_name, address = _message(delivery), delivery.channel, delivery.address
    if channel_name == "default":
        channel_name = default_channel(current_app.config)
    db.session.commit()  # no transaction stays open while the message is on the wire
    error = None
    try:
        channel_for(channel_name, current_app.config).send(message, address)
    except DeliveryError as failure:
        error = str(failure)[:300]
    except Exception as failure:  # a channel's bug must not stop the sender
        log.exception("notification delivery %s: the %s channel failed", delivery_id, channel_name)
        error = type(failure).__name__
    return _mark(delivery_id, attempt, error, now or utcnow())


def _mark(delivery_id: int, attempt: int, error: str | None, now: datetime) -> str:
    D = NotificationDelivery
    mine = and_(D.id == delivery_id, D.status == "sending", D.attempts == attempt)
    if error is None:
        values, outcome = {"status": "sent", "sent_at": now, "last_error": None}, "sent"
    elif attempt >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        values, outcome = {"status": "failed", "last_error": error}, "failed"
    else:
        values = {"status": "pending", "due_at": now + backoff(attempt), "last_error": error}
        outcome = "retry"
    changed = db.session.execute(update(D).where(mine).values(**values)).rowcount
    db.session.commit()
    if changed != 1:
        log.warning("notification delivery %s was taken over by another sender", delivery_id)
        return "lost"
    level = logging.INFO if error is None else logging.WARNING
    log.log(
        level, "notification delivery %s: %s%s", delivery_id, outcome, f" ({error})" * bool(error)
    )
    return outcome


def send_due(now: datetime | None = None, clock: Callable[[], datetime] = utcnow) -> dict:
    """One round: plan what the clock makes due, then send every due delivery; the outcomes."""
    now = now or clock()
    outcomes = {"planned": plan_due(now), "sent": 0, "retry": 0, "failed": 0, "lost": 0}
    while batch := claim(now):
        for delivery_id, attempt in batch:
            outcomes[deliver(delivery_id, attempt, now)] += 1
    return outcomes


def run(
    once: bool = False,
    poll_seconds: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> dict:
    """The sender loop on the background worker's poll loop; totals of the outcomes."""
    poll = current_app.config["NOTIFY_POLL_SECONDS"] if poll_seconds is None else poll_seconds
    totals = {"planned": 0, "sent": 0, "retry": 0, "failed": 0, "lost": 0}

    def step() -> bool:
        outcomes = send_due()
        for key, value in outcomes.items():
            totals[key] += value
        db.session.remove()
        return any(outcomes.values())

    poll_loop(step, once=once, poll_seconds=poll, should_stop=should_stop)
    return totals
