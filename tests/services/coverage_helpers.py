"""The March district: a hand-built district whose March 2026 coverage is known."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import CheckIn, HouseholdMonth, SiteMonth, Visit
from tests.factories import (
    local,
    make_area,
    make_campaign,
    make_checkin,
    make_household,
    make_site,
    make_user,
    make_visit,
)


class March:
    """A hand-built district whose March 2026 coverage is known (see test_coverage.py)."""

    period = (date(2026, 3, 1), date(2026, 3, 31))


def build_march_district() -> March:
    """Two streets; check-ins and visits at the edges of March 2026 in Asia/Shanghai."""

    m = March()
    m.s1 = make_area(name="东街道", level="street", population=20000)
    m.c1 = make_area(name="东一社区", level="community", parent=m.s1, population=20000)
    m.g1 = make_area(name="东一网格", level="grid", parent=m.c1, household_count=50)
    m.g2 = make_area(
        name="东二网格", level="grid", parent=m.c1, household_count=40
    )  # no household rows
    m.s2 = make_area(name="西街道", level="street", population=10000)
    m.c2 = make_area(name="西一社区", level="community", parent=m.s2, population=10000)
    m.g3 = make_area(name="西一网格", level="grid", parent=m.c2, household_count=30)
    m.s1_site, m.s2_site = (
        make_site(area=m.g1, visits_per_month=1),
        make_site(area=m.g1, visits_per_month=2),
    )
    m.inactive = make_site(area=m.g1, active=False)
    m.g2_site, m.g3_site = make_site(area=m.g2), make_site(area=m.g3)
    m.h1, m.h2 = make_household(area=m.g1), make_household(area=m.g1)
    m.h3 = make_household(area=m.g1, unreachable=True, unreachable_reason="vacant")
    m.h4 = make_household(area=m.g3)
    m.worker = make_user(role="worker", area=m.c1, grids=[m.g1])
    m.militia = make_user(role="worker", area=m.s2, force="militia")
    m.rider = make_user(role="worker", area=None, force="rider")
    m.coordinator = make_user(role="coordinator", area=m.s1)
    m.leader1, m.leader2 = make_user(role="leader", area=m.s1), make_user(role="leader", area=m.s2)
    m.district_leader, m.admin = make_user(role="leader"), make_user(role="admin")
    w = m.worker
    # Site 1: the last minute of March counts, the first of April does not.
    make_checkin(
        site=m.s1_site, user=w, at=local(2026, 3, 31, 23, 59), people_reached=10, materials_count=5
    )
    make_checkin(
        site=m.s1_site, user=w, at=local(2026, 4, 1, 0, 0), people_reached=99, materials_count=99
    )
    # Site 2: rejected and flagged do not count; a flagged one approved by a coordinator does.
    make_checkin(
        site=m.s2_site, user=w, at=local(2026, 3, 10, 12), status="rejected", reason="too_far"
    )
    make_checkin(
        site=m.s2_site, user=w, at=local(2026, 3, 11, 12), status="flagged", reason="low_accuracy"
    )
    make_checkin(
        site=m.s2_site,
        user=w,
        at=local(2026, 3, 12, 12),
        status="accepted",
        reason="low_accuracy",
        reviewed_by_id=m.coordinator.id,
        reviewed_at=local(2026, 3, 13, 12),
    )
    make_checkin(site=m.inactive, user=w, at=local(2026, 3, 15, 12), people_reached=3)
    # Grid 2's site: local midnight opening March counts, the second before it does not.
    make_checkin(site=m.g2_site, user=w, at=local(2026, 3, 1, 0, 0))
    make_checkin(site=m.g2_site, user=w, at=local(2026, 2, 28, 23, 59, 59))
    make_checkin(
        site=m.g3_site,
        user=m.militia,
        at=local(2026, 3, 5, 12),
        status="rejected",
        reason="too_far",
    )
    make_visit(
        household=m.h1, user=w, at=local(2026, 3, 2, 12), app_installed=True, materials_count=2
    )
    make_visit(household=m.h1, user=w, at=local(2026, 3, 20, 12))
    make_visit(household=m.h2, user=w, at=local(2026, 3, 3, 12), outcome="not_home")
    make_visit(
        household=m.h3, user=w, at=local(2026, 3, 4, 12)
    )  # unreachable: a visit, but no household reached
    make_visit(household=m.h4, user=m.rider, at=local(2026, 2, 27, 12))
    make_visit(household=m.h4, user=m.rider, at=local(2026, 3, 31, 23, 59, 59), outcome="refused")
    make_campaign(
        area=m.s1,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        targets={"household_rounds": 2, "site_visits": 1},
    )
    db.session.commit()
    return m


def month_sums_from_rows() -> tuple[dict, dict]:
    """site_months and household_months as a plain recount of every check-in and visit would
    make them: sums by Asia/Shanghai month, read through the ORM and added up in Python."""
    sites: dict[tuple, list[int]] = {}
    for c in db.session.scalars(select(CheckIn).where(CheckIn.status == "accepted")):
        figures = sites.setdefault((c.site_id, _month(c.captured_at)), [0, 0, 0])
        figures[0] += 1
        figures[1] += c.people_reached or 0
        figures[2] += c.materials_count or 0
    households: dict[tuple, list[int]] = {}
    for v in db.session.scalars(select(Visit)):
        key = (v.household_id, _month(v.captured_at))
        figures = households.setdefault(key, [v.household.area_id, 0, 0, 0, 0])
        figures[1] += 1
        figures[2] += bool(v.app_installed)
        figures[3] += v.materials_count or 0
        figures[4] += v.outcome == "reached"
    return (
        {k: tuple(f) for k, f in sites.items()},
        {k: tuple(f) for k, f in households.items()},
    )


def stored_month_sums() -> tuple[dict, dict]:
    """The rows of site_months and household_months (rows the writers left at zero left out)."""
    sites = {
        (m.site_id, m.month): (m.checkins, m.people_reached, m.materials)
        for m in db.session.scalars(select(SiteMonth))
        if (m.checkins, m.people_reached, m.materials) != (0, 0, 0)
    }
    households = {
        (m.household_id, m.month): (m.area_id, m.visits, m.app_installs, m.materials, m.reached)
        for m in db.session.scalars(select(HouseholdMonth))
        if (m.visits, m.app_installs, m.materials, m.reached) != (0, 0, 0, 0)
    }
    return sites, households


def assert_month_sums_match() -> None:
    """The monthly sums the writers keep equal a recount of the rows."""
    db.session.flush()
    db.session.expire_all()
    stored, counted = stored_month_sums(), month_sums_from_rows()
    assert stored[0] == counted[0], "site_months"
    assert stored[1] == counted[1], "household_months"


def _month(moment) -> date:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).date().replace(day=1)
