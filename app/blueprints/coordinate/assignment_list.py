"""The people list for assignment (filters, paging, "assign all shown") and handing over the
tasks of someone who left."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.coordinate import bp
from app.blueprints.coordinate.campaigns import _area_choices
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.forms import NONE_CHOICE
from app.kit.work_forms import AssignAllForm, HandOverForm
from app.labels import FORCE_LABELS
from app.models import FORCES
from app.schemas.common import load_query
from app.schemas.person import AssignAllSchema, PeopleQuerySchema
from app.schemas.task import ReassignSchema
from app.services import assignment_list, assignments
from app.services import campaigns as campaign_service
from app.services import tasks as task_service
from app.services.localtime import today

FILTERS = ("force", "area_id", "active", "load", "q")


@bp.route("/assign", methods=["GET", "POST"])
@authorize(
    "assign",
    "task",
    areas=("area_id", "grid_id"),
    then=assignment_list.check_target,
    methods=["POST"],
)
def assignment_list_page():
    """People of my area by force, area, activity, load and name; everyone shown onto a task,
    campaign or grid at once."""
    filters = load_query(PeopleQuerySchema(), request.args)
    form = AssignAllForm()
    _prepare(form, filters)
    done = submit(
        form,
        lambda data: assignment_list.assign_all(current_user, data),
        schema=AssignAllSchema(),
    )
    if done is not None:
        flash(
            _(
                "%(matched)s people: %(added)s assignments made, %(already)s already there.",
                **done,
            ),
            "ok",
        )
        return redirect(url_for(".assignment_list_page", **request.args.to_dict()))
    people = page_of(assignment_list.people_query(current_user, filters))
    assignment_list.describe(current_user, people.items)
    page = render_template(
        "coordinate/assignment_list.html",
        people=people,
        filters=filters,
        form=form,
        forces=FORCES,
        force_labels=FORCE_LABELS,
        areas=_area_choices(),
        loads=assignment_list.LOADS,
        limit=assignment_list.ASSIGN_ALL_MAX,
    )
    return private(make_response(page, answer_status(form)))


def _prepare(form: AssignAllForm, filters: dict) -> None:
    """The filters shown as hidden fields; the running campaigns, the grids, and a task named in
    the address (from a campaign's page) as targets."""
    if request.method == "GET":
        for name in FILTERS:
            form[name].data = _shown(filters.get(name))
    running = campaign_choices()
    form.campaign_id.choices = [NONE_CHOICE, *running]
    form.grid_id.choices = [NONE_CHOICE] + [
        (value, text.lstrip("· ")) for value, text in _area_choices(("grid",))
    ]
    task_id = request.args.get("task_id", "")
    task = task_service.find_task(current_user, int(task_id)) if task_id.isdigit() else None
    form.task_id.choices = [NONE_CHOICE] + (
        [(task.id, f"{task.title} · {task.area.name}")] if task is not None else []
    )
    if task is not None and request.method == "GET":
        form.task_id.data = task.id


def _shown(value) -> str:
    """A filter's value as a hidden field holds it (true/false as 1/0, as the list's address)."""
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, bool) else str(value)


def campaign_choices() -> list[tuple[int, str]]:
    """The campaigns running today that the caller sees."""
    found = db.session.scalars(campaign_service.list_campaigns(current_user, today())).all()
    return [(c.id, c.title) for c in found]


@bp.route("/people/<int:user_id>/hand-over", methods=["GET", "POST"])
@authorize("assign", "task")
def hand_over(user_id: int):
    """Someone left: their unfinished tasks go to another person (or just off them)."""
    person = assignments.person_in_scope(current_user, user_id)
    form = HandOverForm()
    form.to_user_id.choices = [NONE_CHOICE] + [
        (p.id, f"{p.display_name} · {FORCE_LABELS.get(p.force, p.force)}")
        for p in assignments.successors(current_user, person)
    ]
    result = submit(
        form,
        lambda data: assignments.reassign(current_user, {**data, "from_user_id": person.id}),
        schema=ReassignSchema(),
    )
    if result is not None:
        flash(_("%(n)s tasks handed over.", n=result["tasks"]), "ok")
        if result["skipped"]:
            flash(
                _(
                    "%(n)s tasks are in grids the new person may not work in: assign them by hand.",
                    n=len(result["skipped"]),
                ),
                "error",
            )
        return redirect(url_for(".assignment_list_page"))
    page = render_template(
        "coordinate/hand_over.html",
        person=person,
        form=form,
        open_tasks=assignment_list.describe(current_user, [person])[0].open_tasks,
    )
    return private(make_response(page, answer_status(form)))
