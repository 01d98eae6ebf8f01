"""The app install rate and coverage per household tag, with their denominators."""

from __future__ import annotations

from app.services import household_groups
from app.services.coverage import Period
from tests.factories import local, make_household, make_visit


def test_install_rate_and_coverage_by_tag(district):
    a = district.a
    grid = a.grids[0]
    old = make_household(area=grid, label="1-1-101", tags=["elderly"])
    old_floating = make_household(area=grid, label="1-1-102", tags=["elderly", "floating"])
    student = make_household(area=grid, label="1-1-103", tags=["student"])
    make_household(area=grid, label="1-1-104", tags=["elderly"])  # not reached
    make_household(area=grid, label="1-1-105", tags=["elderly"], unreachable=True)
    elsewhere = make_household(area=district.b.grids[0], label="9-9-9", tags=["elderly"])
    day = local(2026, 5, 3, 10)
    make_visit(user=a.worker, household=old, at=day, app_installed=True)
    make_visit(user=a.worker, household=old_floating, at=day)
    make_visit(user=a.worker, household=student, at=day, outcome="not_home")
    make_visit(user=district.b.worker, household=elsewhere, at=day, app_installed=True)
    make_visit(user=a.worker, household=student, at=local(2026, 6, 1, 10))  # later

    figures = household_groups.for_area(a.street, Period(day.date().replace(day=1), day.date()))
    assert figures["all"] == {
        "households": 4,
        "reached": 2,
        "with_app": 1,
        "coverage": 0.5,
        "install_rate": 0.5,
    }
    elderly = figures["tags"]["elderly"]
    assert (elderly["households"], elderly["reached"], elderly["with_app"]) == (3, 2, 1)
    assert figures["tags"]["floating"]["coverage"] == 1.0
    assert figures["tags"]["floating"]["install_rate"] == 0.0
    assert figures["tags"]["student"]["reached"] == 0
    district_wide = household_groups.for_area(None, Period(day.date(), day.date()))
    assert district_wide["all"]["households"] == 5 and district_wide["all"]["with_app"] == 2
