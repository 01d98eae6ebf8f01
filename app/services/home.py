"""What each role's home page shows."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, Site, Task, User
from app.policy import can, is_field_worker
from app.services import rectifications, task_progress, tasks
from app.services.access import effective_grids, filter_by_scope, scope_area
from app.services.warnings import handling

HOME_WARNINGS = 20
HOME_TASKS = 50


def home_for(user: User) -> dict:
    """Figures for the home page, all within the user's area."""
    counts = {
        "areas": db.session.scalar(filter_by_scope(select(func.count(Area.id)), user, Area.id)),
        "sites": db.session.scalar(
            filter_by_scope(select(func.count(Site.id)), user, Site.area_id)
        ),
    }
    if can(user, "list", "user"):
        users = select(func.count(User.id))
        if user.area_id is not None:
            users = filter_by_scope(users.where(User.area_id.is_not(None)), user, User.area_id)
        counts["users"] = db.session.scalar(users)
    page = {"scope": scope_area(user), "counts": counts, "grids": effective_grids(user)}
    if can(user, "assign", "rectification"):
        page["rectifications"] = rectifications.open_summary(user)
    if is_field_worker(user):
        page.update(my_work(user))
        page["my_rectifications"] = _count(
            rectifications.list_rectifications(user, {"status": "assigned"})
        )
    return page


def unfinished_tasks(user: User):
    """A select() of the person's unfinished tasks, soonest due first."""
    return tasks.list_tasks(user, {"mine": True}).where(
        Task.status.not_in(task_progress.FINAL_STATUSES)
    )


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def my_work(user: User) -> dict:
    """A worker's first open warnings (soonest deadline first, number masked) and unfinished tasks by
    due time, with how many there are of each (the pages link to the whole lists)."""
    open_query = handling.list_warnings(user, {"status": "open"})
    open_warnings = db.session.scalars(open_query.limit(HOME_WARNINGS)).all()
    handling.present(user, open_warnings, full_numbers=False)
    query = unfinished_tasks(user)
    my_tasks = task_progress.attach_progress(db.session.scalars(query.limit(HOME_TASKS)).all())
    return {
        "warnings": open_warnings,
        "tasks": my_tasks,
        "warnings_total": len(open_warnings)
        if len(open_warnings) < HOME_WARNINGS
        else _count(open_query),
        "tasks_total": len(my_tasks) if len(my_tasks) < HOME_TASKS else _count(query),
    }
