"""Risk warnings (预警指令): entered by police or coordinators, handled face to face by the grid's
people within a deadline set by the level, with the phone number masked for all but police and admins.

Who sees a warning: a grid worker, the warnings of their own grids (that is the assignment: the
grid's workers are its responsible people, nothing extra is stored); police (force `police`),
coordinators, leaders and admins, every warning inside their area.

Phone numbers: police and admins get the full number in every answer, and each answer that
carries full numbers writes one audit event `warning.reveal_phone` listing the warnings shown;
everyone else sees 138****1234. Pages show the masked number to everyone and reveal it on a
button (POST /warnings/ID/reveal-phone), audited the same way.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from app import geo
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.labels import WARNING_RESULT_LABELS
from app.models import Area, Household, RiskWarning, User
from app.models.base import utcnow
from app.policy import can, is_field_worker, is_police_officer, require
from app.services import must_checks
from app.services.access import (
    filter_by_scope,
    grids_of,
    require_area_in_scope,
    subtree_clause,
    within_scope,
)
from app.services.audit import record_event
from app.services.notifications import events

WARNING_STATUSES = ("open", "handled")
ESCALATION = ("grid", "community", "street")
STOP_LOSS_STEPS = (
    _l("Call 110 or the anti-fraud hotline 96110 at once."),
    _l(
        "Call the bank's hotline or go to the counter to stop the transfer and freeze the account it went to."
    ),
    _l(
        'Stop all contact with the other side and transfer nothing more, even to "get the money back".'
    ),
    _l("Keep the evidence: chat records, transfer receipts, the numbers, accounts and links used."),
    _l("Report the case at the police station with the evidence."),
)
PHONE = re.compile(r"^\+?[0-9]{5,20}$")


def normalize_phone(raw: str | None) -> str | None:
    """Digits only (a leading + kept); spaces and dashes dropped; None when blank; 422 when not a number."""
    if raw is None or not str(raw).strip():
        return None
    phone = re.sub(r"[\s\-()]", "", str(raw))
    if not PHONE.match(phone):
        raise Invalid(_l("not a phone number"), {"phone": _l("digits only, 5 to 20")})
    return phone


def mask_phone(phone: str | None) -> str | None:
    """By length: an 11-digit mobile keeps its first 3 and last 4 digits (138****1234); any other
    number at most its last 4 digits and never more than half of them (87654321 → ****4321)."""
    if not phone:
        return phone
    digits = phone.lstrip("+")
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    shown = min(4, len(digits) // 2)
    return "****" + (digits[-shown:] if shown else "")


def sees_full_phone(user: User) -> bool:
    """Admins and police officers in the field; a coordinator or leader never, whatever their force."""
    return can(user, "unmask", "phone")


def deadline_for(level: str, created_at: datetime) -> datetime:
    """created_at + WARNING_DEADLINE_HOURS[level]."""
    return created_at + timedelta(hours=current_app.config["WARNING_DEADLINE_HOURS"][level])


def escalation(warning: RiskWarning, now: datetime | None = None) -> str | None:
    """Who answers for an open warning now: the grid until the deadline, then its community, and the
    street once it is late by another full deadline span; None once handled."""
    if warning.status != "open":
        return None
    now = now or utcnow()
    span = timedelta(hours=current_app.config["WARNING_DEADLINE_HOURS"][warning.level])
    if now <= warning.deadline_at:
        return "grid"
    return "community" if now <= warning.deadline_at + span else "street"


def visible_warnings(actor: User):
    """A select() of the warnings the actor may see."""
    query = select(RiskWarning)
    if is_field_worker(actor) and not is_police_officer(actor):
        return query.where(RiskWarning.area_id.in_(grids_of(actor.id)))
    return filter_by_scope(query, actor, RiskWarning.area_id)


def build_warning(actor: User, grid: Area, data: dict[str, Any], now: datetime) -> RiskWarning:
    """A new warning for a grid already checked, its deadline set from the level."""
    return RiskWarning(
        level=data["level"],
        area_id=grid.id,
        area=grid,
        subject_label=data["subject_label"],
        phone=normalize_phone(data.get("phone")),
        household_id=data.get("household_id"),
        address=data.get("address") or None,
        status="open",
        created_by_id=actor.id,
        created_at=now,
        deadline_at=deadline_for(data["level"], now),
    )


def create_warning(actor: User, data: dict[str, Any], now: datetime | None = None) -> RiskWarning:
    """Enter a warning for a grid in the actor's area; its grid's workers see it at once."""
    require(actor, "create", "warning")
    grid = require_area_in_scope(actor, data["area_id"])
    if grid.level != "grid":
        raise Invalid(_l("a warning goes to a grid"), {"area_id": _l("must be a grid")})
    if data.get("household_id") is not None:
        household = db.session.get(Household, data["household_id"])
        if household is None or household.area_id != grid.id:
            raise Invalid(
                _l("the household is not in this grid"),
                {"household_id": _l("not a household of the grid")},
            )
    warning = build_warning(actor, grid, data, now or utcnow())
    db.session.add(warning)
    db.session.flush()
    record_event(actor, "warning.create", warning, level=warning.level, area_id=grid.id)
    events.warning_created(warning, warning.created_at)
    return warning


def list_warnings(actor: User, args: dict[str, Any], now: datetime | None = None):
    """Visible warnings by `status`, `overdue`, `level`, `area_id`: open ones first, soonest deadline first."""
    query = visible_warnings(actor)
    if args.get("status"):
        query = query.where(RiskWarning.status == args["status"])
    if args.get("level"):
        query = query.where(RiskWarning.level == args["level"])
    if args.get("overdue"):
        query = query.where(
            RiskWarning.status == "open", RiskWarning.deadline_at < (now or utcnow())
        )
    if args.get("area_id") is not None:
        area = db.session.get(Area, args["area_id"])
        if area is None or (not is_field_worker(actor) and not within_scope(actor, area)):
            raise NotFound(_l("area_id not found"), {"area_id": _l("no such area in your scope")})
        query = query.where(
            RiskWarning.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    open_first = case((RiskWarning.status == "open", 0), else_=1)
    return query.options(selectinload(RiskWarning.area)).order_by(
        open_first, RiskWarning.deadline_at, RiskWarning.id
    )


def get_warning(actor: User, warning_id: int) -> RiskWarning:
    """A warning the actor may see; 404 otherwise."""
    warning = db.session.scalar(visible_warnings(actor).where(RiskWarning.id == warning_id))
    if warning is None:
        raise NotFound(_l("warning not found"))
    return warning


def record_outcome(
    actor: User, warning: RiskWarning, data: dict[str, Any], now: datetime | None = None
):
    """Record how the warning was handled; the same outcome sent again changes nothing, another is 409."""
    require(actor, "handle", "warning", warning)
    if warning.status == "handled":
        if warning.result == data["result"] and (warning.note or None) == (
            data.get("note") or None
        ):
            return warning
        recorded = WARNING_RESULT_LABELS.get(warning.result, warning.result)
        raise Conflict(
            _l("the warning was already handled"),
            {"result": _l("already recorded: %(result)s", result=recorded)},
        )
    if (data.get("lat") is None) != (data.get("lng") is None):
        raise Invalid(
            _l("lat and lng go together"),
            {"lat": _l("give both or neither"), "lng": _l("give both or neither")},
        )
    if data.get("lat") is not None:
        warning.handled_lat, warning.handled_lng = geo.to_wgs84(
            data["lat"], data["lng"], data.get("coord_system") or "wgs84"
        )
    if data["result"] == "unreachable" and warning.unreachable_count < UNREACHABLE_TRIES:
        return _not_reached(actor, warning, data, now or utcnow())
    _set_result(warning, data)
    warning.status, warning.handled_by_id, warning.handled_at = "handled", actor.id, now or utcnow()
    db.session.flush()
    record_event(
        actor,
        "warning.outcome",
        warning,
        result=warning.result,
        in_time=warning.handled_at <= warning.deadline_at,
    )
    must_checks.open_for_warning(warning)
    return warning


UNREACHABLE_TRIES = 2
DEFRAUDED_FIELDS = (
    "loss_amount",
    "stopped_amount",
    "paid_to",
    "defrauded_at",
    "fraud_channel",
    "reported_to",
)


def _set_result(warning: RiskWarning, data: dict[str, Any]) -> None:
    """The result and note, and with 已被骗 the 快采 figures (cleared for any other result)."""
    warning.result, warning.note = data["result"], data.get("note") or None
    defrauded = data["result"] == "already_defrauded"
    for field in DEFRAUDED_FIELDS:
        setattr(warning, field, data.get(field) if defrauded else None)


def _not_reached(actor: User, warning: RiskWarning, data: dict[str, Any], now: datetime):
    """无法见面 does not close the warning: the first time it asks to try again, the second it
    hands the warning to the community's police (told at once); the next 无法见面 closes it.
    The same attempt posted again (same client_id) is not counted twice."""
    attempt = str(data["client_id"]) if data.get("client_id") else None
    if attempt is not None and attempt == warning.last_attempt_id:
        return warning
    warning.unreachable_count += 1
    warning.last_attempt_id = attempt
    if data.get("note"):
        warning.note = data["note"]
    handed = warning.unreachable_count >= UNREACHABLE_TRIES
    if handed:
        warning.handed_to_police_at = now
    db.session.flush()
    record_event(
        actor, "warning.unreachable", warning, tries=warning.unreachable_count, to_police=handed
    )
    if handed:
        events.warning_to_police(warning, now)
    return warning


def correct_outcome(actor: User, warning: RiskWarning, data: dict[str, Any]) -> RiskWarning:
    """A coordinator corrects an outcome recorded by mistake, with a reason; the first record
    stays in the audit log (the event carries it)."""
    require(actor, "correct", "warning", warning)
    if warning.status != "handled":
        raise Conflict(
            _l("only a handled warning's outcome is corrected"),
            {"result": _l("no outcome recorded yet")},
        )
    before = {"result": warning.result, "note": warning.note}
    before.update({f: str(getattr(warning, f)) for f in DEFRAUDED_FIELDS if getattr(warning, f)})
    _set_result(warning, data)
    db.session.flush()
    record_event(
        actor,
        "warning.correct",
        warning,
        before=before,
        result=warning.result,
        reason=data["reason"],
    )
    must_checks.open_for_warning(warning)
    return warning


def present(
    actor: User, warnings: list[RiskWarning], now: datetime | None = None, full_numbers: bool = True
) -> list[RiskWarning]:
    """Prepare warnings for output: `phone_shown` masked or full (full ones audited in one event),
    `escalation`, `overdue`, `seconds_left`. Pages pass full_numbers=False and reveal on request."""
    now = now or utcnow()
    full = full_numbers and sees_full_phone(actor)
    revealed = []
    for warning in warnings:
        warning.phone_shown = warning.phone if full else mask_phone(warning.phone)
        warning.escalation = escalation(warning, now)
        warning.overdue = warning.status == "open" and now > warning.deadline_at
        warning.seconds_left = int((warning.deadline_at - now).total_seconds())
        if full and warning.phone:
            revealed.append(warning.id)
    if revealed:
        record_event(actor, "warning.reveal_phone", None, warning_ids=revealed, via="api")
    return warnings


def reveal_phone(actor: User, warning: RiskWarning) -> str | None:
    """The full number, for police, admins and the workers of the warning's grid (the handlers
    who must call); every reveal is written to the audit log."""
    require(actor, "reveal", "phone", warning)
    record_event(actor, "warning.reveal_phone", warning, warning_ids=[warning.id], via="reveal")
    return warning.phone
