"""What each role's home page shows."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, Site, Task, User
from app.policy import can, is_field_worker
from app.services import task_progress, tasks, warnings
from app.services.access import effective_grids, filter_by_scope, scope_area

HOME_WARNINGS = 20
HOME_TASKS = 50


def home_for(user: User) -> dict:
    """Figures for the home page, all within the user's area."""
    counts = {
        "areas": db.session.scalar(filter_by_scope(select(func.count(Area.id)), user, Area.id)),
        "sites": db.session.scalar(filter_by_scope(select(func.count(Site.id)), user, Site.area_id)),
    }
    if can(user, "list", "user"):
        users = select(func.count(User.id))
        if user.area_id is not None:
            users = filter_by_scope(users.where(User.area_id.is_not(None)), user, User.area_id)
        counts["users"] = db.session.scalar(users)
    page = {"scope": scope_area(user), "counts": counts, "grids": effective_grids(user)}
    if is_field_worker(user):
        page.update(my_work(user))
    return page


def my_work(user: User) -> dict:
    """A worker's open warnings (soonest deadline first, number masked) and unfinished tasks by due time."""
    open_warnings = db.session.scalars(warnings.list_warnings(user, {"status": "open"}).limit(HOME_WARNINGS)).all()
    warnings.present(user, open_warnings, full_numbers=False)
    query = tasks.list_tasks(user, {"mine": True}).where(Task.status.not_in(task_progress.FINAL_STATUSES))
    my_tasks = task_progress.attach_progress(db.session.scalars(query.limit(HOME_TASKS)).all())
    return {"warnings": open_warnings, "tasks": my_tasks}
