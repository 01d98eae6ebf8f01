"""Fraud cases (发案): entered one by one per community, listed within the caller's area."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, Invalid
from app.extensions import db
from app.models import Area, FraudCase, Household, Site, User
from app.policy import require
from app.services import must_checks, return_visits
from app.services.access import (
    filter_by_scope,
    require_area_in_scope,
    subtree_clause,
    visible_or_404,
)
from app.services.audit import record_event
from app.services.localtime import today

MAX_LOSS = Decimal("1000000000000")  # fits NUMERIC(14, 2)
EARLIEST = date(2000, 1, 1)


def get_case(actor: User, case_id: int) -> FraudCase:
    """A case the actor may read."""
    require(actor, "read", "case")
    case = db.session.get(FraudCase, case_id)
    return visible_or_404(actor, case, case.area if case else None, "case")


def list_cases(actor: User, args: dict):
    """A select() of the cases in the actor's area, newest first, filtered by area, dates and type."""
    require(actor, "read", "case")
    query = filter_by_scope(select(FraudCase), actor, FraudCase.area_id)
    if args.get("area_id") is not None:
        area = require_area_in_scope(actor, args["area_id"])
        query = query.where(
            FraudCase.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    if args.get("date_from"):
        query = query.where(FraudCase.occurred_on >= args["date_from"])
    if args.get("date_to"):
        query = query.where(FraudCase.occurred_on <= args["date_to"])
    if args.get("fraud_type"):
        query = query.where(FraudCase.fraud_type == args["fraud_type"])
    return query.order_by(FraudCase.occurred_on.desc(), FraudCase.id.desc())


def check_community(actor: User, area_id: int) -> Area:
    """The community a case belongs to, inside the actor's area."""
    area = require_area_in_scope(actor, area_id, "area_id")
    if area.level != "community":
        raise Invalid(_l("a case belongs to a community"), {"area_id": _l("must be a community")})
    return area


def check_occurred_on(day: date) -> str | None:
    """Why a case date is impossible, or None."""
    if day > today():
        return "must not be in the future"
    if day < EARLIEST:
        return f"must not be before {EARLIEST.isoformat()}"
    return None


def household_in(community: Area, household_id: int) -> Household | None:
    """The household if it lies in one of the community's grids."""
    household = db.session.get(Household, household_id)
    if household is None or not household.area.path.startswith(community.path):
        return None
    return household


def create_case(actor: User, data: dict[str, Any]) -> tuple[FraudCase, bool]:
    """Record a case; the same client_id again gives back the first record, (case, created)."""
    require(actor, "create", "case")
    client_id = data.pop("client_id", None)
    client_id = str(client_id) if client_id else None
    if client_id:
        existing = db.session.scalar(select(FraudCase).where(FraudCase.client_id == client_id))
        if existing is not None:
            return visible_or_404(actor, existing, existing.area, "case"), False
    community = check_community(actor, data["area_id"])
    problem = check_occurred_on(data["occurred_on"])
    if problem:
        raise Invalid(_l("impossible date"), {"occurred_on": problem})
    if (
        data.get("household_id") is not None
        and household_in(community, data["household_id"]) is None
    ):
        raise Invalid(
            _l("household not in this community"),
            {"household_id": _l("no such household in this community")},
        )
    if (
        data.get("reference")
        and db.session.scalar(select(FraudCase.id).where(FraudCase.reference == data["reference"]))
        is not None
    ):
        raise Conflict(_l("case number already recorded"), {"reference": _l("already recorded")})
    if data.get("site_id") is not None:
        site = db.session.get(Site, data["site_id"])
        if site is None or not site.area.path.startswith(community.path):
            raise Invalid(
                _l("site not in this community"),
                {"site_id": _l("no such site in this community")},
            )
    data["address"] = must_checks.normalize_address(data.get("address"))
    case = FraudCase(client_id=client_id, created_by_id=actor.id, **data)
    try:
        with db.session.begin_nested():
            db.session.add(case)
    except IntegrityError:  # the same client_id or case number, posted at the same moment
        existing = (
            db.session.scalar(select(FraudCase).where(FraudCase.client_id == client_id))
            if client_id
            else None
        )
        if existing is None:
            raise Conflict(
                _l("case already recorded"), {"reference": _l("already recorded")}
            ) from None
        return visible_or_404(actor, existing, existing.area, "case"), False
    record_event(actor, "case.create", case, area_id=case.area_id, fraud_type=case.fraud_type)
    must_checks.open_for_case(case)
    return_visits.open_for_case(case)
    return case, True
