"""Coverage on a hand-built district whose answer is known, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import event

from app.errors import Forbidden, Invalid
from app.extensions import db
from app.services import coverage
from tests.factories import make_area, make_site
from tests.services.coverage_helpers import build_march_district

FROM, TO = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture
def march(app):
    return build_march_district()


def by_name(result):
    return {child["name"]: child for child in result["children"]}


def test_district_figures(march):
    result = coverage.for_area(march.admin, None, FROM, TO)
    assert result["area_id"] is None and result["level"] == "district"
    assert (result["sites_total"], result["sites_visited"], result["site_coverage"]) == (4, 3, 0.75)
    assert (result["households_total"], result["households_reached"]) == (43, 1)
    assert result["household_coverage"] == round(1 / 43, 4)
    assert result["checkins"] == 4
    assert (
        result["visits"],
        result["app_installs"],
        result["people_reached"],
        result["leaflets"],
    ) == (5, 1, 13, 7)
    assert (result["sites_met"], result["households_required"], result["households_met"]) == (
        2,
        42,
        1,
    )
    assert result["active_by_force"]["grid_worker"] == 1 and result["active_by_force"]["rider"] == 1
    assert result["active_by_force"]["militia"] == 0 and result["active_people"] == 2
    assert (result["date_from"], result["date_to"]) == ("2026-03-01", "2026-03-31")


def test_children_are_streets_with_their_own_figures(march):
    children = by_name(coverage.for_area(march.admin, None, FROM, TO))
    east, west = children["东街道"], children["西街道"]
    assert east["area_id"] == march.s1.id and east["level"] == "street"
    assert (east["sites_total"], east["sites_visited"], east["site_coverage"]) == (3, 3, 1.0)
    assert (east["households_total"], east["households_reached"], east["checkins"]) == (42, 1, 4)
    assert (east["visits"], east["active_people"]) == (4, 1)
    assert (west["sites_total"], west["sites_visited"], west["site_coverage"]) == (1, 0, 0.0)
    assert (west["households_total"], west["households_reached"], west["visits"]) == (1, 0, 1)
    assert west["active_people"] == 0  # the militia member's only check-in was rejected


def test_grid_without_household_rows_counts_its_household_count(march):
    children = by_name(coverage.for_area(march.admin, march.c1.id, FROM, TO))
    assert children["东二网格"]["households_total"] == 40
    assert children["东一网格"]["households_total"] == 2  # three rows, one unreachable


def test_grid_has_no_children(march):
    result = coverage.for_area(march.admin, march.g1.id, FROM, TO)
    assert result["children"] == []
    assert (result["sites_total"], result["sites_visited"], result["checkins"]) == (2, 2, 3)
    assert (result["households_total"], result["households_reached"], result["visits"]) == (2, 1, 4)


def test_day_edges_in_shanghai(march):
    first_day = coverage.for_area(march.admin, march.g2.id, FROM, FROM)
    assert first_day["checkins"] == 1  # 00:00 on 1 March counts, 23:59:59 on 28 February does not
    last_day = coverage.for_area(march.admin, march.g1.id, TO, TO)
    assert (
        last_day["checkins"] == 1 and last_day["people_reached"] == 10
    )  # 23:59 counts, 00:00 April does not
    april = coverage.for_area(march.admin, march.g1.id, date(2026, 4, 1), date(2026, 4, 1))
    assert april["checkins"] == 1 and april["people_reached"] == 99


def test_rejected_and_unapproved_flagged_checkins_do_not_visit_a_site(march):
    site = make_site(area=march.g3)
    from tests.factories import local, make_checkin

    make_checkin(
        site=site,
        user=march.militia,
        at=local(2026, 3, 9, 12),
        status="flagged",
        reason="low_accuracy",
    )
    make_checkin(
        site=site, user=march.militia, at=local(2026, 3, 9, 13), status="rejected", reason="too_far"
    )
    result = coverage.for_area(march.admin, march.g3.id, FROM, TO)
    assert (result["sites_total"], result["sites_visited"], result["checkins"]) == (2, 0, 0)


def test_site_rounds_scale_with_months(march):
    two_months = coverage.for_area(march.admin, march.g1.id, date(2026, 3, 1), date(2026, 4, 30))
    assert two_months["sites_met"] == 1  # site 1 has two visits in two months; site 2 needs four


def test_leader_of_a_street_gets_their_street_by_default(march):
    result = coverage.for_area(march.leader1, None, FROM, TO)
    assert result["area_id"] == march.s1.id
    assert [c["area_id"] for c in result["children"]] == [march.c1.id]
    assert result["sites_total"] == 3 and result["households_total"] == 42


def test_leader_cannot_read_another_street(march):
    with pytest.raises(Forbidden):
        coverage.for_area(march.leader1, march.s2.id, FROM, TO)
    with pytest.raises(Forbidden):
        coverage.for_area(march.worker, None, FROM, TO)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), "from"),
        (date(2025, 1, 1), date(2026, 3, 1), "to"),
    ],
)
def test_bad_periods_name_the_field(march, first, last, field):
    with pytest.raises(Invalid) as error:
        coverage.for_area(march.admin, None, first, last)
    assert field in error.value.errors


def test_number_of_queries_does_not_grow_with_children(march):
    def count_queries():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            coverage.for_area(march.admin, None, FROM, TO)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    count_queries()  # loads the expired test objects once
    before = count_queries()
    for n in range(5):
        street = make_area(name=f"新街道{n}", level="street")
        community = make_area(name=f"新社区{n}", level="community", parent=street)
        make_site(area=make_area(name=f"新网格{n}", level="grid", parent=community))
    assert count_queries() == before


def test_empty_district_is_all_zero(app):
    result = coverage.compute(None, coverage.make_period(FROM, TO))
    assert (
        result["children"] == [] and result["sites_total"] == 0 and result["site_coverage"] == 0.0
    )
