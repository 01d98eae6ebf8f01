"""Campaign pages: the list and a new campaign, a campaign's tasks, and the grid × people assignment table."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.blueprints.coordinate import bp
from app.errors import Invalid
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, load_form, page_of, refused, submit
from app.kit.forms import NONE_CHOICE
from app.kit.work_forms import (
    AssignmentTableForm,
    BulkAssignForm,
    CampaignForm,
    ReassignForm,
    TaskStatusForm,
)
from app.labels import label
from app.models import FORCES, Area, User
from app.policy import field_workers
from app.schemas.task import (
    AssignmentTableSchema,
    BulkAssignSchema,
    CampaignPageSchema,
    ReassignSchema,
    TaskPatchSchema,
)
from app.services import areas as area_service
from app.services import assignments
from app.services import campaigns as campaign_service
from app.services import tasks as task_service
from app.services.access import filter_by_scope


def _area_choices(levels=("street", "community", "grid")):
    areas = db.session.scalars(
        area_service.list_areas(current_user).where(Area.level.in_(levels))
    ).all()
    indent = {"street": "", "community": "· ", "grid": "· · "}
    return [(a.id, indent[a.level] + a.name) for a in areas]


@bp.route("/campaigns", methods=["GET", "POST"])
@authorize("create", "campaign", areas=("area_id",), methods=["POST"])
def campaigns():
    """Campaigns over my area, with a form for a new one."""
    form = CampaignForm()
    form.area_id.choices = _area_choices()
    campaign = submit(
        form,
        lambda data: campaign_service.create_campaign(current_user, data),
        schema=CampaignPageSchema(),
    )
    if campaign is not None:
        flash(_("Campaign created with %(n)s tasks.", n=len(campaign.scoped_tasks)), "ok")
        return redirect(url_for(".campaign", campaign_id=campaign.id))
    return _campaigns_page(form, answer_status(form))


def _campaigns_page(form: CampaignForm, status: int):
    rows = page_of(campaign_service.list_campaigns(current_user))
    campaign_service.summarise(current_user, rows.items)
    return render_template("coordinate/campaigns.html", form=form, campaigns=rows), status


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    """A campaign's tasks per grid: assignees, due time, status and progress."""
    found = campaign_service.get_campaign(current_user, campaign_id)
    return render_template("coordinate/campaign.html", campaign=found)


@bp.post("/tasks/<int:task_id>/status")
@authorize("update", "task", load=task_service.find_task)
def task_status(task_id: int):
    """Mark a task done, cancel it, or reopen it."""
    task = task_service.get_task(current_user, task_id)
    form = TaskStatusForm()
    saved = submit(
        form,
        lambda data: task_service.update_task(current_user, task, data),
        schema=TaskPatchSchema(),
        on_fields=False,
    )
    if saved is None:
        if form.errors:
            flash(_("That status is not allowed."), "error")
        if task.campaign_id is None:
            campaigns_form = CampaignForm()
            campaigns_form.area_id.choices = _area_choices()
            return _campaigns_page(campaigns_form, answer_status(form))
        found = campaign_service.get_campaign(current_user, task.campaign_id)
        return render_template("coordinate/campaign.html", campaign=found), answer_status(form)
    flash(_("Saved."), "ok")
    return redirect(
        url_for(".campaign", campaign_id=task.campaign_id)
        if task.campaign_id
        else url_for(".campaigns")
    )


def _people_choices(blank: bool):
    query = (
        filter_by_scope(db.select(User), current_user, User.area_id)
        .where(field_workers(User.role))
        .order_by(User.display_name)
    )
    people = [
        (u.id, f"{u.display_name} ({label(u.force, 'force')})") for u in db.session.scalars(query)
    ]
    return ([NONE_CHOICE] if blank else []) + people


def _assign_page(found, status: int = 200, bulk=None, handover=None):
    force = request.args.get("force") if request.args.get("force") in FORCES else None
    bulk = bulk or BulkAssignForm(prefix="bulk")
    bulk.area_id.choices = _area_choices(("street", "community"))
    table = assignments.assignment_table(current_user, found, force)
    handover = handover or ReassignForm(prefix="handover")
    if not table["too_big"]:  # a long list of people would pass a screen: the list's rows hand over
        handover.from_user_id.choices = _people_choices(False)
        handover.to_user_id.choices = _people_choices(True)
    return render_template(
        "coordinate/campaign_assign.html",
        campaign=found,
        table=table,
        force=force,
        bulk=bulk,
        handover=handover,
    ), status


@bp.get("/campaigns/<int:campaign_id>/assign")
def assign(campaign_id: int):
    """The grid × people table of a campaign, bulk assignment, and handing over someone's tasks."""
    return _assign_page(campaign_service.get_campaign(current_user, campaign_id))


@bp.post("/campaigns/<int:campaign_id>/assign")
@authorize("assign", "task")
def save_assign(campaign_id: int):
    """Save the table: for each row, the ticked people among those shown."""
    found = campaign_service.get_campaign(current_user, campaign_id)
    form = AssignmentTableForm()
    table = load_form(form, AssignmentTableSchema())
    if table is None:
        return refused(form)
    if not set(table["wanted"]) <= {t.id for t in found.scoped_tasks}:
        raise Invalid(
            _l("a row is not a task of this campaign"), {"task": _l("not in this campaign")}
        )
    changed = assignments.set_assignments(current_user, table["wanted"], table["shown"])
    flash(_("Saved: %(n)s tasks changed.", n=changed), "ok")
    return redirect(
        url_for(".assign", campaign_id=campaign_id, force=request.form.get("force") or None)
    )


@bp.post("/campaigns/<int:campaign_id>/bulk-assign")
@authorize("assign", "task", areas=("bulk-area_id",))
def bulk_assign(campaign_id: int):
    """Everyone of a force under an area onto every unfinished task of the campaign (of a kind)."""
    found = campaign_service.get_campaign(current_user, campaign_id)
    form = BulkAssignForm(prefix="bulk")
    form.area_id.choices = _area_choices(("street", "community"))
    result = submit(
        form,
        lambda data: assignments.bulk_assign(current_user, {**data, "campaign_id": found.id}),
        schema=BulkAssignSchema(),
    )
    if result is None:
        return _assign_page(found, answer_status(form, ok=422), bulk=form)
    flash(
        _(
            "%(added)s assignments added to %(tasks)s tasks.",
            added=result["added"],
            tasks=result["tasks"],
        ),
        "ok",
    )
    return redirect(url_for(".assign", campaign_id=found.id))


@bp.post("/campaigns/<int:campaign_id>/reassign")
@authorize("assign", "task")
def reassign(campaign_id: int):
    """Hand someone's unfinished tasks (in every campaign) to another person."""
    found = campaign_service.get_campaign(current_user, campaign_id)
    form = ReassignForm(prefix="handover")
    form.from_user_id.choices = _people_choices(False)
    form.to_user_id.choices = _people_choices(True)
    result = submit(
        form,
        lambda data: assignments.reassign(current_user, data),
        schema=ReassignSchema(),
    )
    if result is None:
        return _assign_page(found, answer_status(form, ok=422), handover=form)
    flash(_("%(n)s tasks handed over.", n=result["tasks"]), "ok")
    if result["skipped"]:
        flash(
            _(
                "%(n)s tasks are in grids the new person may not work in: assign them by hand.",
                n=len(result["skipped"]),
            ),
            "error",
        )
    return redirect(url_for(".assign", campaign_id=found.id))
