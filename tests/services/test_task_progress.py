"""Progress is counted from evidence rows (check-ins, visits, reports), in grouped queries."""

from datetime import timedelta

from sqlalchemy import event

from app.extensions import db
from app.models.base import utcnow
from app.services import task_progress, tasks
from tests.factories import (
    local,
    make_checkin,
    make_household,
    make_site,
    make_task,
    make_user,
    make_visit,
)


def _done(task):
    return task_progress.attach_progress([task])[0].progress["done"]


def test_site_check_counts_distinct_site_days_of_accepted_checkins(district):
    a = district.a
    site, other = a.sites[0], make_site(area=a.grids[0])
    now = utcnow()
    task = make_task(
        area=a.grids[0],
        kind="site_check",
        target_count=10,
        assignees=[a.worker],
        sites=[site],
        starts_at=now - timedelta(days=10),
    )
    make_checkin(user=a.worker, site=site, task=task, at=now)
    make_checkin(
        user=a.worker, site=site, task=task, at=now + timedelta(minutes=5)
    )  # same site, same day: once
    make_checkin(user=a.worker, site=site, task=task, at=now - timedelta(days=1))  # another day
    make_checkin(user=a.worker, site=site, task=task, status="rejected", at=now - timedelta(days=2))
    make_checkin(user=a.worker, site=site, task=task, status="flagged", at=now - timedelta(days=3))
    assert _done(task) == 2
    make_checkin(
        user=a.worker, site=site, at=now - timedelta(days=3)
    )  # not linked, but at its site in period
    make_checkin(user=a.worker, site=other, at=now - timedelta(days=4))  # not one of its sites
    make_checkin(user=a.worker, site=site, at=now - timedelta(days=30))  # before the task started
    assert _done(task) == 3


def test_days_are_counted_in_shanghai_time(district):
    a = district.a
    site = a.sites[0]
    task = make_task(
        area=a.grids[0],
        kind="site_check",
        target_count=10,
        sites=[site],
        starts_at=local(2026, 11, 1),
        due_at=local(2026, 12, 1),
    )
    make_checkin(
        user=a.worker, site=site, task=task, at=local(2026, 11, 5, 23, 30)
    )  # 15:30 UTC on the 5th
    # 16:30 UTC on the 5th, but the 6th here; then 23:30 UTC on the 5th: the 6th again
    make_checkin(user=a.worker, site=site, task=task, at=local(2026, 11, 6, 0, 30))
    make_checkin(user=a.worker, site=site, task=task, at=local(2026, 11, 6, 7, 30))
    assert _done(task) == 2


def test_site_tasks_without_sites_count_the_grids_sites_of_their_kind(district):
    a = district.a
    poster_site = make_site(area=a.grids[0], kind="poster")
    poster = make_task(area=a.grids[0], kind="poster", target_count=3)
    any_site = make_task(area=a.grids[0], kind="site_check", target_count=3)
    make_checkin(user=a.worker, site=poster_site)
    make_checkin(user=a.worker, site=a.sites[0])  # a board
    make_checkin(user=district.b.worker, site=district.b.sites[0])  # another grid entirely
    assert task_progress.done_counts([poster, any_site]) == {poster.id: 1, any_site.id: 2}


def test_door_to_door_counts_reachable_households_reached(district):
    a = district.a
    h1, h2, h3, gone = (
        make_household(area=a.grids[0], label=label)
        for label in ("1-1-101", "1-1-102", "1-1-103", "1-1-104")
    )
    gone.unreachable = True
    elsewhere = make_household(area=a.grids[1], label="2-1-101")
    task = make_task(area=a.grids[0], kind="door_to_door", target_count=3, assignees=[a.worker])
    make_visit(user=a.worker, household=h1, task=task)
    make_visit(user=a.worker, household=h1, task=task)  # the same household again
    make_visit(user=a.worker, household=h2)  # not linked, in the grid and period
    make_visit(user=a.worker, household=h3, task=task, outcome="not_home")
    make_visit(user=a.worker, household=gone, task=task)  # unreachable now: out of the count
    make_visit(user=a.worker, household=elsewhere)  # another grid
    make_visit(user=a.worker, household=h3, at=utcnow() - timedelta(days=40))  # before the task
    assert _done(task) == 2


def test_door_to_door_rounds_count_days_per_household_up_to_the_rounds(district):
    a = district.a
    h1, h2 = (
        make_household(area=a.grids[0], label="1-1-101"),
        make_household(area=a.grids[0], label="1-1-102"),
    )
    task = make_task(
        area=a.grids[0],
        kind="door_to_door",
        target_count=4,
        targets={"household_rounds": 2},
        starts_at=local(2026, 11, 1),
        due_at=local(2026, 12, 1),
    )
    single = make_task(
        area=a.grids[0],
        kind="door_to_door",
        target_count=2,
        starts_at=local(2026, 11, 1),
        due_at=local(2026, 12, 1),
        title="one round",
    )
    for day in (3, 4, 5):
        make_visit(user=a.worker, household=h1, at=local(2026, 11, day, 10))
    make_visit(user=a.worker, household=h2, at=local(2026, 11, 3, 10))
    assert task_progress.done_counts([task, single]) == {task.id: 3, single.id: 2}


def test_rider_drops_sum_materials_and_reports(district):
    a = district.a
    rider = make_user(role="worker", area=a.community, force="rider")
    task = make_task(area=a.grids[0], kind="rider_drop", target_count=300, assignees=[rider])
    make_checkin(user=rider, site=a.sites[0], task=task, materials_count=50)
    make_checkin(user=rider, site=a.sites[0], task=task, materials_count=70, status="rejected")
    make_visit(user=rider, household=make_household(area=a.grids[0]), task=task, materials_count=5)
    tasks.report_count(rider, task, {"count": 100, "note": "美团站点"})
    assert _done(task) == 155


def test_lectures_count_reports_by_assignees_once_per_client_id(district):
    a = district.a
    task = make_task(area=a.grids[0], kind="lecture", target_count=2, assignees=[a.worker])
    task, created = tasks.report_count(a.worker, task, {"count": 1, "client_id": "report-0001"})
    assert created and task.progress == {"done": 1, "target": 2} and task.status == "in_progress"
    task, created = tasks.report_count(a.worker, task, {"count": 1, "client_id": "report-0001"})
    assert not created and task.progress["done"] == 1
    task, _ = tasks.report_count(a.worker, task, {"count": 1})
    assert task.progress["done"] == 2 and task.status == "done"


def test_app_promotion_counts_households_with_the_app_installed(district):
    a = district.a
    h1, h2 = (
        make_household(area=a.grids[0], label="1-1-101"),
        make_household(area=a.grids[0], label="1-1-102"),
    )
    task = make_task(area=a.grids[0], kind="app_promotion", target_count=10, assignees=[a.worker])
    make_visit(user=a.worker, household=h1, task=task, app_installed=True)
    make_visit(user=a.worker, household=h1, app_installed=True)
    make_visit(user=a.worker, household=h2, app_installed=False)
    tasks.report_count(a.worker, task, {"count": 4})
    assert _done(task) == 5


def test_status_follows_the_evidence_but_never_goes_back(district):
    a = district.a
    task = make_task(area=a.grids[0], kind="site_check", target_count=1, sites=[a.sites[0]])
    assert task_progress.settle([task])[0].status == "open"
    checkin = make_checkin(user=a.worker, site=a.sites[0], task=task)
    assert task_progress.attach_progress([task])[0].status == "open"  # reading settles nothing
    assert task_progress.settle([task])[0].status == "done"
    checkin.status = "rejected"
    db.session.flush()
    assert task_progress.settle([task])[0].status == "done"
    cancelled = make_task(
        area=a.grids[0], kind="site_check", target_count=1, sites=[a.sites[0]], status="cancelled"
    )
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
    few = [make_task(area=a.grids[0], kind=kind) for kind in kinds]
    many = few + [make_task(area=g, kind=kind) for g in a.grids for kind in kinds for _ in range(4)]
    small, large = (
        _statements(lambda: task_progress.done_counts(few)),
        _statements(lambda: task_progress.done_counts(many)),
    )
    assert small == large <= 5
