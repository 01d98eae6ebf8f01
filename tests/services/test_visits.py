"""Visits: exactly once, who may record, the task check, the grid check of the GPS fix."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Visit
from app.services import visits as vs
from tests.factories import make_household, make_site, make_task, make_user

NEAR = (29.9003, 121.5503)  # ~40 m from street A grid 0's only site
FAR = (29.92, 121.55)  # ~2.2 km away


def visit_data(household, **over):
    data = {
        "client_id": uuid.uuid4(),
        "household_id": household.id,
        "outcome": "reached",
        "lat": NEAR[0],
        "lng": NEAR[1],
        "accuracy_m": 12.0,
        "captured_at": datetime(2026, 11, 3, 2, 0, tzinfo=UTC),
    }
    data.update(over)
    return data


def door_task(grid, *assignees, status="open"):
    return make_task(
        area=grid,
        kind="door_to_door",
        title="入户",
        assignees=assignees,
        status=status,
        due_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def visits_count():
    return db.session.scalar(select(func.count(Visit.id)))


def test_record_once_then_same_record(district):
    h = make_household(area=district.a.grids[0])
    data = visit_data(h, app_installed=True, materials_count=2)
    first, created = vs.record_visit(district.a.worker, dict(data))
    again, created_again = vs.record_visit(district.a.worker, dict(data, outcome="refused"))
    assert created and not created_again and again.id == first.id and again.outcome == "reached"
    assert visits_count() == 1
    assert (first.app_installed, first.materials_count, first.flag_reason) == (True, 2, None)


def test_client_id_of_another_person_conflicts(district):
    h = make_household(area=district.a.grids[0])
    data = visit_data(h)
    vs.record_visit(district.a.worker, dict(data))
    with pytest.raises(Conflict) as error:
        vs.record_visit(district.a.coordinator, dict(data))
    assert "client_id" in error.value.errors


def test_household_outside_the_workers_grids(district):
    other_grid = make_household(area=district.a.grids[1])
    other_street = make_household(area=district.b.grids[0])
    for h in (other_grid, other_street):
        with pytest.raises(Forbidden) as error:
            vs.record_visit(district.a.worker, visit_data(h))
        assert "household_id" in error.value.errors
    with pytest.raises(Forbidden):
        vs.record_visit(district.a.coordinator, visit_data(other_street))
    with pytest.raises(Forbidden):
        vs.record_visit(district.a.leader, visit_data(make_household(area=district.a.grids[0])))
    with pytest.raises(NotFound):
        vs.record_visit(district.a.worker, visit_data(other_grid, household_id=10**9))
    assert visits_count() == 0


def test_coordinator_records_in_their_area(district):
    _, created = vs.record_visit(
        district.a.coordinator,
        visit_data(make_household(area=district.a.grids[1]), lat=29.901, lng=121.55),
    )
    assert created


def test_task_must_be_the_workers_in_that_grid(district):
    g0, g1 = district.a.grids
    h = make_household(area=g0)
    worker = district.a.worker
    mine = door_task(g0, worker)
    visit, _ = vs.record_visit(worker, visit_data(h, task_id=mine.id))
    assert visit.task_id == mine.id
    for bad in (door_task(g0), door_task(g1, worker), door_task(g0, worker, status="cancelled")):
        with pytest.raises(Invalid) as error:
            vs.record_visit(worker, visit_data(h, task_id=bad.id))
        assert "task_id" in error.value.errors
    with pytest.raises(Invalid):
        vs.record_visit(worker, visit_data(h, task_id=10**9))


def test_assigned_task_opens_a_grid_to_a_militia_member(district):
    g1 = district.a.grids[1]
    militia = make_user(role="worker", area=district.a.community, force="militia")
    task = door_task(g1, militia)
    visit, created = vs.record_visit(
        militia, visit_data(make_household(area=g1), task_id=task.id, lat=29.901, lng=121.55)
    )
    assert created and visit.flag_reason is None


def test_far_from_the_sites_is_flagged_but_recorded(district):
    h = make_household(area=district.a.grids[0])
    visit, created = vs.record_visit(district.a.worker, visit_data(h, lat=FAR[0], lng=FAR[1]))
    assert created and visit.flag_reason == "outside_grid"


def test_sites_circle_reaches_the_farthest_site_plus_margin(district):
    grid = district.a.grids[0]
    make_site(area=grid, lat=29.91, lng=121.55)  # the grid now spans ~1.1 km north-south
    near_second = vs.grid_flag(grid, 29.9145, 121.55)
    beyond = vs.grid_flag(grid, 29.925, 121.55)
    assert near_second is None and beyond == "outside_grid"


def test_boundary_wins_over_sites(district):
    grid = district.a.grids[0]
    # A square of ~1.1 km around (29.95, 121.60), nowhere near the grid's site.
    grid.boundary = {
        "type": "Polygon",
        "coordinates": [
            [
                [121.595, 29.945],
                [121.605, 29.945],
                [121.605, 29.955],
                [121.595, 29.955],
                [121.595, 29.945],
            ]
        ],
    }
    assert vs.grid_flag(grid, 29.95, 121.60) is None
    assert vs.grid_flag(grid, *NEAR) == "outside_grid"
    grid.boundary = {"type": "Point", "coordinates": [121.6, 29.95]}  # unusable: fall back to sites
    assert vs.grid_flag(grid, *NEAR) is None


def test_no_reference_no_flag(district):
    grid = district.a.grids[0]
    for site in district.a.sites:
        site.active = False
    db.session.flush()
    assert vs.grid_flag(grid, *FAR) is None


def test_gcj02_fix_is_stored_as_wgs84(district):
    from app import geo

    lat, lng = geo.from_wgs84(*NEAR, "gcj02")
    visit, _ = vs.record_visit(
        district.a.worker,
        visit_data(
            make_household(area=district.a.grids[0]), lat=lat, lng=lng, coord_system="gcj02"
        ),
    )
    assert visit.lat == pytest.approx(NEAR[0], abs=1e-7) and visit.flag_reason is None


def test_lists_and_get_are_scoped(district):
    h = make_household(area=district.a.grids[0])
    own, _ = vs.record_visit(district.a.worker, visit_data(h))
    colleague = make_user(role="worker", area=district.a.community, grids=[district.a.grids[0]])
    theirs, _ = vs.record_visit(colleague, visit_data(h, outcome="not_home"))
    ids = lambda user, **kw: [v.id for v in db.session.scalars(vs.list_visits(user, **kw))]  # noqa: E731
    assert ids(district.a.worker) == [own.id]
    assert sorted(ids(district.a.coordinator)) == sorted([own.id, theirs.id])
    assert ids(district.b.coordinator) == []
    assert ids(district.a.leader, flagged=True) == []
    with pytest.raises(NotFound):
        vs.get_visit(district.a.worker, theirs.id)
    with pytest.raises(NotFound):
        vs.get_visit(district.b.leader, own.id)
    assert vs.get_visit(district.a.leader, own.id) is own
