"""Progress is counted from evidence rows (check-ins, visits, reports), in grouped queries."""

from datetime import timedelta

from sqlalchemy import event

from app.extensions import db
from app.models.base import utcnow
from app.services import task_progress, tasks
from tests.factories import make_household, make_site, make_user
from tests.task_helpers import make_checkin, make_task, make_visit, shanghai


def _done(task):
    return task_progress.attach_progress([task])[0].progress["done"]


def test_site_check_counts_distinct_site_days_of_accepted_checkins(district):
    a = district.a
    site, other = a.sites[0], make_site(a.grids[0])
    now = utcnow()
    task = make_task(a.grids[0], "site_check", target=10, assignees=[a.worker], sites=[site],
                     starts_at=now - timedelta(days=10))
    make_checkin(a.worker, site, task, at=now)
    make_checkin(a.worker, site, task, at=now + timedelta(minutes=5))     # same site, same day: once
    make_checkin(a.worker, site, task, at=now - timedelta(days=1))        # another day
    make_checkin(a.worker, site, task, status="rejected", at=now - timedelta(days=2))
    make_checkin(a.worker, site, task, status="flagged", at=now - timedelta(days=3))
    assert _done(task) == 2
    make_checkin(a.worker, site, None, at=now - timedelta(days=3))        # not linked, but at its site in period
    make_checkin(a.worker, other, None, at=now - timedelta(days=4))       # not one of its sites
    make_checkin(a.worker, site, None, at=now - timedelta(days=30))       # before the task started
    assert _done(task) == 3


def test_days_are_counted_in_shanghai_time(district):
    a = district.a
    site = a.sites[0]
    task = make_task(a.grids[0], "site_check", target=10, sites=[site],
                     starts_at=shanghai(2026, 11, 1), due_at=shanghai(2026, 12, 1))
    make_checkin(a.worker, site, task, at=shanghai(2026, 11, 5, 23, 30))  # 15:30 UTC on the 5th
    make_checkin(a.worker, site, task, at=shanghai(2026, 11, 6, 0, 30))   # 16:30 UTC on the 5th, but the 6th here
    make_checkin(a.worker, site, task, at=shanghai(2026, 11, 6, 7, 30))   # 23:30 UTC on the 5th: the 6th again
    assert _done(task) == 2


def test_site_tasks_without_sites_count_the_grids_sites_of_their_kind(district):
    a = district.a
    poster_site = make_site(a.grids[0], kind="poster")
    poster = make_task(a.grids[0], "poster", target=3)
    any_site = make_task(a.grids[0], "site_check", target=3)
    make_checkin(a.worker, poster_site)
    make_checkin(a.worker, a.sites[0])  # a board
    make_checkin(district.b.worker, district.b.sites[0])  # another grid entirely
    assert task_progress.done_counts([poster, any_site]) == {poster.id: 1, any_site.id: 2}


def test_door_to_door_counts_reachable_households_reached(district):
    a = district.a
    h1, h2, h3, gone = (make_household(a.grids[0], label) for label in ("1-1-101", "1-1-102", "1-1-103", "1-1-104"))
    gone.unreachable = True
    elsewhere = make_household(a.grids[1], "2-1-101")
    task = make_task(a.grids[0], "door_to_door", target=3, assignees=[a.worker])
    make_visit(a.worker, h1, task)
    make_visit(a.worker, h1, task)                                   # the same household again
    make_visit(a.worker, h2, None)                                   # not linked, in the grid and period
    make_visit(a.worker, h3, task, outcome="not_home")
    make_visit(a.worker, gone, task)                                 # unreachable now: out of the count
    make_visit(a.worker, elsewhere, None)                            # another grid
    make_visit(a.worker, h3, None, at=utcnow() - timedelta(days=40))  # before the task
    assert _done(task) == 2


def test_door_to_door_rounds_count_days_per_household_up_to_the_rounds(district):
    a = district.a
    h1, h2 = make_household(a.grids[0], "1-1-101"), make_household(a.grids[0], "1-1-102")
    task = make_task(a.grids[0], "door_to_door", target=4, targets={"household_rounds": 2},
                     starts_at=shanghai(2026, 11, 1), due_at=shanghai(2026, 12, 1))
    single = make_task(a.grids[0], "door_to_door", target=2, starts_at=shanghai(2026, 11, 1),
                       due_at=shanghai(2026, 12, 1), title="one round")
    for day in (3, 4, 5):
        make_visit(a.worker, h1, None, at=shanghai(2026, 11, day, 10))
    make_visit(a.worker, h2, None, at=shanghai(2026, 11, 3, 10))
    assert task_progress.done_counts([task, single]) == {task.id: 3, single.id: 2}


def test_rider_drops_sum_materials_and_reports(district):
    a = district.a
    rider = make_user("worker", a.community, force="rider")
    task = make_task(a.grids[0], "rider_drop", target=300, assignees=[rider])
    make_checkin(rider, a.sites[0], task, materials=50)
    make_checkin(rider, a.sites[0], task, materials=70, status="rejected")
    make_visit(rider, make_household(a.grids[0]), task, materials=5)
    tasks.report_count(rider, task, {"count": 100, "note": "美团站点"})
    assert _done(task) == 155


def test_lectures_count_reports_by_assignees_once_per_client_id(district):
    a = district.a
    task = make_task(a.grids[0], "lecture", target=2, assignees=[a.worker])
    task, created = tasks.report_count(a.worker, task, {"count": 1, "client_id": "report-0001"})
    assert created and task.progress == {"done": 1, "target": 2} and task.status == "in_progress"
    task, created = tasks.report_count(a.worker, task, {"count": 1, "client_id": "report-0001"})
    assert not created and task.progress["done"] == 1
    task, _ = tasks.report_count(a.worker, task, {"count": 1})
    assert task.progress["done"] == 2 and task.status == "done"


def test_app_promotion_counts_households_with_the_app_installed(district):
    a = district.a
    h1, h2 = make_household(a.grids[0], "1-1-101"), make_household(a.grids[0], "1-1-102")
    task = make_task(a.grids[0], "app_promotion", target=10, assignees=[a.worker])
    make_visit(a.worker, h1, task, app_installed=True)
    make_visit(a.worker, h1, None, app_installed=True)
    make_visit(a.worker, h2, None, app_installed=False)
    tasks.report_count(a.worker, task, {"count": 4})
    assert _done(task) == 5


def test_status_follows_the_evidence_but_never_goes_back(district):
    a = district.a
    task = make_task(a.grids[0], "site_check", target=1, sites=[a.sites[0]])
    assert task_progress.settle([task])[0].status == "open"
    checkin = make_checkin(a.worker, a.sites[0], task)
    assert task_progress.attach_progress([task])[0].status == "open"  # reading settles nothing
    assert task_progress.settle([task])[0].status == "done"
    checkin.status = "rejected"
    db.session.flush()
    assert task_progress.settle([task])[0].status == "done"
    cancelled = make_task(a.grids[0], "site_check", target=1, sites=[a.sites[0]], status="cancelled")
    assert task_progress.settle([cancelled])[0].status == "cancelled"


def _statements(call) -> int:
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_progress_for_a_page_takes_a_fixed_number_of_queries(district):
    a = district.a
    kinds = ("site_check", "door_to_door", "rider_drop", "lecture", "app_promotion")
    few = [make_task(a.grids[0], kind) for kind in kinds]
    many = few + [make_task(g, kind) for g in a.grids for kind in kinds for _ in range(4)]
    small, large = _statements(lambda: task_progress.done_counts(few)), _statements(lambda: task_progress.done_counts(many))
    assert small == large <= 5
