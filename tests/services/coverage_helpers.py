"""Rows for coverage, report and back-check tests: check-ins, visits, campaigns, cases, warnings."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import Campaign, CheckIn, FraudCase, RiskWarning, Task, Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)


def make_checkin(site, user, at: datetime, status: str = "accepted", **fields) -> CheckIn:
    checkin = CheckIn(client_id=str(uuid.uuid4()), user_id=user.id, site_id=site.id, lat=site.lat, lng=site.lng,
                      accuracy_m=10.0, distance_m=5.0, captured_at=at, status=status, **fields)
    db.session.add(checkin)
    db.session.flush()
    return checkin


def make_visit(household, user, at: datetime, outcome: str = "reached", **fields) -> Visit:
    visit = Visit(client_id=str(uuid.uuid4()), household_id=household.id, user_id=user.id, outcome=outcome,
                  captured_at=at, **fields)
    db.session.add(visit)
    db.session.flush()
    return visit


def make_campaign(area, starts_on: date, ends_on: date, targets: dict, kind: str = "door_to_door") -> Campaign:
    campaign = Campaign(title=f"campaign {next(_seq)}", kind=kind, area_id=area.id, starts_on=starts_on,
                        ends_on=ends_on, targets=targets)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def make_task(area, kind: str, due_at: datetime, status: str = "open", **fields) -> Task:
    task = Task(title=fields.pop("title", f"task {next(_seq)}"), kind=kind, area_id=area.id, due_at=due_at,
                status=status, **fields)
    db.session.add(task)
    db.session.flush()
    return task


def make_case(community, occurred_on: date, loss: str = "1000.00", fraud_type: str = "order_brushing",
              household=None, **fields) -> FraudCase:
    case = FraudCase(area_id=community.id, occurred_on=occurred_on, fraud_type=fraud_type, loss_amount=Decimal(loss),
                     household_id=household.id if household else None, **fields)
    db.session.add(case)
    db.session.flush()
    return case


def make_warning(area, created_at: datetime, level: str = "high", hours: int = 2, handled_after: float | None = None,
                 result: str | None = None) -> RiskWarning:
    handled_at = created_at + timedelta(hours=handled_after) if handled_after is not None else None
    warning = RiskWarning(level=level, area_id=area.id, subject_label=f"subject {next(_seq)}", created_at=created_at,
                          deadline_at=created_at + timedelta(hours=hours), handled_at=handled_at,
                          status="handled" if handled_at else "open", result=result)
    db.session.add(warning)
    db.session.flush()
    return warning


class March:
    """A hand-built district whose March 2026 coverage is known (see test_coverage.py)."""

    period = (date(2026, 3, 1), date(2026, 3, 31))


def build_march_district() -> March:
    """Two streets; check-ins and visits at the edges of March 2026 in Asia/Shanghai."""
    from tests.factories import make_area, make_household, make_site, make_user

    m = March()
    m.s1 = make_area("东街道", "street", population=20000)
    m.c1 = make_area("东一社区", "community", m.s1, population=20000)
    m.g1 = make_area("东一网格", "grid", m.c1, household_count=50)
    m.g2 = make_area("东二网格", "grid", m.c1, household_count=40)  # no household rows
    m.s2 = make_area("西街道", "street", population=10000)
    m.c2 = make_area("西一社区", "community", m.s2, population=10000)
    m.g3 = make_area("西一网格", "grid", m.c2, household_count=30)
    m.s1_site, m.s2_site = make_site(m.g1, visits_per_month=1), make_site(m.g1, visits_per_month=2)
    m.inactive = make_site(m.g1, active=False)
    m.g2_site, m.g3_site = make_site(m.g2), make_site(m.g3)
    m.h1, m.h2 = make_household(m.g1), make_household(m.g1)
    m.h3 = make_household(m.g1, unreachable=True, unreachable_reason="vacant")
    m.h4 = make_household(m.g3)
    m.worker = make_user("worker", m.c1, grids=[m.g1])
    m.militia = make_user("worker", m.s2, force="militia")
    m.rider = make_user("worker", None, force="rider")
    m.coordinator = make_user("coordinator", m.s1)
    m.leader1, m.leader2 = make_user("leader", m.s1), make_user("leader", m.s2)
    m.district_leader, m.admin = make_user("leader"), make_user("admin")
    w = m.worker
    # Site 1: the last minute of March counts, the first of April does not.
    make_checkin(m.s1_site, w, local(2026, 3, 31, 23, 59), people_reached=10, materials_count=5)
    make_checkin(m.s1_site, w, local(2026, 4, 1, 0, 0), people_reached=99, materials_count=99)
    # Site 2: rejected and flagged do not count; a flagged one approved by a coordinator does.
    make_checkin(m.s2_site, w, local(2026, 3, 10), status="rejected", reason="too_far")
    make_checkin(m.s2_site, w, local(2026, 3, 11), status="flagged", reason="low_accuracy")
    make_checkin(m.s2_site, w, local(2026, 3, 12), status="accepted", reason="low_accuracy",
                 reviewed_by_id=m.coordinator.id, reviewed_at=local(2026, 3, 13))
    make_checkin(m.inactive, w, local(2026, 3, 15), people_reached=3)
    # Grid 2's site: local midnight opening March counts, the second before it does not.
    make_checkin(m.g2_site, w, local(2026, 3, 1, 0, 0))
    make_checkin(m.g2_site, w, local(2026, 2, 28, 23, 59, 59))
    make_checkin(m.g3_site, m.militia, local(2026, 3, 5), status="rejected", reason="too_far")
    make_visit(m.h1, w, local(2026, 3, 2), app_installed=True, materials_count=2)
    make_visit(m.h1, w, local(2026, 3, 20))
    make_visit(m.h2, w, local(2026, 3, 3), outcome="not_home")
    make_visit(m.h3, w, local(2026, 3, 4))  # unreachable: a visit, but no household reached
    make_visit(m.h4, m.rider, local(2026, 2, 27))
    make_visit(m.h4, m.rider, local(2026, 3, 31, 23, 59, 59), outcome="refused")
    make_campaign(m.s1, date(2026, 3, 1), date(2026, 3, 31), {"household_rounds": 2, "site_visits": 1})
    db.session.commit()
    return m
