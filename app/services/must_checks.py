"""The four must-checks (四必查), opened in the same transaction as what triggers them:

- 劝阻失效必查 (`defrauded`): a warning whose outcome is 已被骗;
- 大额警情必查 (`large_loss`): a case whose loss reaches MUST_CHECK_LOSS yuan;
- 社区多发必查 (`community_repeat`): a community reaching MUST_CHECK_COMMUNITY_CASES cases within
  MUST_CHECK_WINDOW_DAYS days (counted back from a case's day);
- 部位多发必查 (`place_repeat`): MUST_CHECK_PLACE_CASES cases within the window at one place (the
  same site, or the same address in the community).

Each trigger has a key (unique in the table): the same warning, case or tipping day never opens a
second check, and a community or place already checked within the window is not checked again
for the same run of cases. A check shows the back-check evidence that exists (app/services/
backchecks.py); a coordinator of the community concludes it.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.errors import Conflict
from app.extensions import db
from app.models import Area, FraudCase, MustCheck, RiskWarning, User
from app.models.base import utcnow
from app.policy import require
from app.services import backchecks
from app.services.access import (
    filter_by_scope,
    require_area_in_scope,
    subtree_clause,
    visible_or_404,
)
from app.services.audit import record_event
from app.services.localtime import to_local


def normalize_address(text: str | None) -> str | None:
    """An address as compared for 部位多发: trimmed, inner spaces dropped; None when blank."""
    if text is None:
        return None
    cleaned = "".join(str(text).split())
    return cleaned or None


def _open(kind: str, key: str, area_id: int, day: date, **fields: Any) -> MustCheck | None:
    """Add the check unless its key is taken; None when it was."""
    if db.session.scalar(select(exists().where(MustCheck.trigger_key == key))):
        return None
    check = MustCheck(
        kind=kind, trigger_key=key, area_id=area_id, trigger_on=day, status="open", **fields
    )
    try:
        with db.session.begin_nested():
            db.session.add(check)
    except IntegrityError:  # opened at the same moment by another transaction
        return None
    return check


def open_for_warning(warning: RiskWarning) -> MustCheck | None:
    """劝阻失效必查: a warning that ended 已被骗 (recorded or corrected to it)."""
    if warning.result != "already_defrauded":
        return None
    grid = warning.area
    community_id = grid.parent_id if grid.level == "grid" and grid.parent_id else grid.id
    day = to_local(warning.handled_at or utcnow()).date()
    loss = warning.loss_amount
    return _open(
        "defrauded",
        f"defrauded:warning:{warning.id}",
        community_id,
        day,
        warning_id=warning.id,
        detail=str(loss) if loss is not None else None,
    )


def open_for_case(case: FraudCase) -> list[MustCheck]:
    """大额, 社区多发 and 部位多发 for a case just stored (flushed)."""
    config = current_app.config
    opened = []
    if case.loss_amount is not None and float(case.loss_amount) >= config["MUST_CHECK_LOSS"]:
        opened.append(
            _open(
                "large_loss",
                f"large_loss:case:{case.id}",
                case.area_id,
                case.occurred_on,
                case_id=case.id,
                detail=str(case.loss_amount),
            )
        )
    opened.append(_community_repeat(case))
    opened.append(_place_repeat(case))
    return [check for check in opened if check is not None]


def open_for_cases(cases: list[FraudCase]) -> list[MustCheck]:
    """The checks an import's cases open, oldest first."""
    opened = []
    for case in sorted(cases, key=lambda c: (c.occurred_on, c.id)):
        opened.extend(open_for_case(case))
    return opened


def _most_in_a_window(where, day: date) -> int:
    """The most cases matching `where` in any window of MUST_CHECK_WINDOW_DAYS days holding `day`
    (a case entered late may complete a run of later ones)."""
    span = timedelta(days=current_app.config["MUST_CHECK_WINDOW_DAYS"] - 1)
    days = sorted(
        db.session.scalars(
            select(FraudCase.occurred_on).where(
                where, FraudCase.occurred_on >= day - span, FraudCase.occurred_on <= day + span
            )
        )
    )
    most = 0
    for offset in range(span.days + 1):
        first = day - span + timedelta(days=offset)
        most = max(most, sum(1 for d in days if first <= d <= first + span))
    return most


def _checked_lately(kind: str, where, day: date) -> bool:
    """A check of this kind for this community or place tipped over within the window around day."""
    span = timedelta(days=current_app.config["MUST_CHECK_WINDOW_DAYS"] - 1)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    MustCheck.kind == kind,
                    where,
                    MustCheck.trigger_on >= day - span,
                    MustCheck.trigger_on <= day + span,
                )
            )
        )
    )


def _community_repeat(case: FraudCase) -> MustCheck | None:
    count = _most_in_a_window(FraudCase.area_id == case.area_id, case.occurred_on)
    if count < current_app.config["MUST_CHECK_COMMUNITY_CASES"]:
        return None
    if _checked_lately("community_repeat", MustCheck.area_id == case.area_id, case.occurred_on):
        return None
    return _open(
        "community_repeat",
        f"community_repeat:{case.area_id}:{case.occurred_on.isoformat()}",
        case.area_id,
        case.occurred_on,
        case_id=case.id,
        detail=str(count),
    )


def _place_repeat(case: FraudCase) -> MustCheck | None:
    if case.site_id is not None:
        same_place = FraudCase.site_id == case.site_id
        place = f"site:{case.site_id}"
    elif case.address:
        same_place = (FraudCase.area_id == case.area_id) & (FraudCase.address == case.address)
        place = f"address:{case.area_id}:{case.address}"
    else:
        return None
    count = _most_in_a_window(same_place, case.occurred_on)
    if count < current_app.config["MUST_CHECK_PLACE_CASES"]:
        return None
    earlier = MustCheck.trigger_key.like(f"place_repeat:{place}:%")
    if _checked_lately("place_repeat", earlier, case.occurred_on):
        return None
    return _open(
        "place_repeat",
        f"place_repeat:{place}:{case.occurred_on.isoformat()}",
        case.area_id,
        case.occurred_on,
        case_id=case.id,
        detail=f"{count} · {case.site.name if case.site_id else case.address}",
    )


def list_checks(actor: User, args: dict[str, Any]):
    """A select() of the checks in the actor's area, open ones first, newest first."""
    require(actor, "read", "must_check")
    query = filter_by_scope(select(MustCheck), actor, MustCheck.area_id)
    if args.get("area_id") is not None:
        area = require_area_in_scope(actor, args["area_id"])
        query = query.where(
            MustCheck.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    if args.get("status"):
        query = query.where(MustCheck.status == args["status"])
    if args.get("kind"):
        query = query.where(MustCheck.kind == args["kind"])
    return query.options(joinedload(MustCheck.area)).order_by(
        MustCheck.status.desc(), MustCheck.opened_at.desc(), MustCheck.id.desc()
    )


def get_check(actor: User, check_id: int) -> MustCheck:
    """A check the actor may read."""
    require(actor, "read", "must_check")
    check = db.session.get(MustCheck, check_id)
    return visible_or_404(actor, check, check.area if check else None, "must_check")


def evidence(check: MustCheck) -> dict:
    """The back-check evidence behind a check: of its case, or, for a warning, of the person's
    household, grid and community in the 30 days before it was handled."""
    if check.case is not None:
        return backchecks.evidence_of(check.case)
    warning = check.warning
    stand_in = SimpleNamespace(
        id=None, occurred_on=check.trigger_on, area=check.area, household=warning.household
    )
    return backchecks.evidence_of(stand_in)


def with_evidence(check: MustCheck) -> MustCheck:
    check.evidence = evidence(check)
    return check


def conclude_check(actor: User, check: MustCheck, data: dict[str, Any]) -> MustCheck:
    """A coordinator of the community records the conclusion, who was responsible and what follows."""
    require(actor, "conclude", "must_check", check)
    if check.status != "open":
        raise Conflict(_l("the check is concluded"), {"conclusion": _l("already concluded")})
    check.conclusion = data["conclusion"]
    check.responsible = data["responsible"]
    check.follow_up = data["follow_up"]
    check.status, check.concluded_by_id, check.concluded_at = "concluded", actor.id, utcnow()
    db.session.flush()
    record_event(actor, "must_check.conclude", check, area_id=check.area_id, kind=check.kind)
    return check
