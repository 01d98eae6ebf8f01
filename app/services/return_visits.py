"""Return visits after every case (发案必回访): each new case, however it is recorded (API, page,
import), makes one `return_visit` task due within RETURN_VISIT_DAYS local days, in the same
transaction. With the victim's household known the task goes to that household's grid and its
workers; otherwise to the community, where a coordinator assigns it. One task per case (unique
`case_id`), so a retried case or import never makes a second."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select

from app.extensions import db
from app.models import FraudCase, Task
from app.models.base import utcnow
from app.services.localtime import end_of_day, today
from app.services.notifications import events
from app.services.tasks import grid_workers


def open_for_case(case: FraudCase) -> Task | None:
    """The case's return visit; None when it has one already."""
    if db.session.scalar(select(exists().where(Task.case_id == case.id))):
        return None
    household = case.household
    area = household.area if household is not None else case.area
    people = grid_workers([area.id])[area.id] if household is not None else []
    now = utcnow()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("Return visit: case of %(day)s", day=case.occurred_on.isoformat())
        if household is not None:
            title = f"{title} · {household.label}"[:120]
    task = Task(
        title=title,
        kind="return_visit",
        area_id=area.id,
        area=area,
        case_id=case.id,
        starts_at=now,
        due_at=end_of_day(today() + timedelta(days=current_app.config["RETURN_VISIT_DAYS"])),
        target_count=1,
        targets={},
        status="open",
        created_by_id=case.created_by_id,
    )
    task.assignees = people
    db.session.add(task)
    db.session.flush()
    if people:
        events.task_assigned(task, people)
    return task


def open_for_cases(cases: list[FraudCase]) -> list[Task]:
    """The return visits of an import's cases."""
    return [task for case in cases if (task := open_for_case(case)) is not None]
