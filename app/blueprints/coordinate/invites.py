"""Invites by QR: make one for a force and an area, print it, revoke it; approve or refuse the
people who joined through one, in bulk."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import IntegerField, SelectField

from app import qr
from app.blueprints.coordinate import bp
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.forms import optional_int
from app.labels import FORCE_LABELS, labelled
from app.models import FORCES
from app.policy import ADMIN_ONLY_FORCES
from app.schemas.user import InviteSchema
from app.services import areas as area_service
from app.services import invites as invite_service


class InviteForm(FlaskForm):
    area_id = SelectField(_l("Area"), coerce=optional_int)
    force = SelectField(
        _l("Force"),
        choices=labelled([f for f in FORCES if f not in ADMIN_ONLY_FORCES], FORCE_LABELS),
        default="rider",
    )
    days = IntegerField(_l("Valid for (days)"), default=14)


def _invite_form() -> InviteForm:
    form = InviteForm()
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    form.area_id.choices = [(a.id, a.name) for a in areas]
    return form


def _invites_page(form: InviteForm, status: int):
    page = page_of(invite_service.list_invites(current_user))
    pending = db.session.scalars(invite_service.pending_people(current_user)).all()
    html = render_template("coordinate/invites.html", form=form, invites=page, pending=pending)
    return private(make_response(html, status))


@bp.get("/invites")
@authorize("read", "invite")
def invites():
    """The invites of one's area, the people waiting for approval, and a form to make an invite."""
    return _invites_page(_invite_form(), 200)


@bp.post("/invites")
@authorize("create", "invite")
def create_invite():
    """Make an invite for a force and an area, then show its code to print."""
    form = _invite_form()
    made = submit(
        form, lambda data: invite_service.create_invite(current_user, data), schema=InviteSchema()
    )
    if made is not None:
        return redirect(url_for(".invite", invite_id=made.id))
    return _invites_page(form, answer_status(form))


@bp.get("/invites/<int:invite_id>")
@authorize("read", "invite")
def invite(invite_id: int):
    """One invite: its printable QR code and its link."""
    found = invite_service.get_invite(current_user, invite_id)
    url = invite_service.invite_url(found)
    page = render_template(
        "coordinate/invite.html",
        invite=found,
        url=url,
        svg=Markup(qr.qr_svg(url)),
        form=FlaskForm(),
    )
    return private(make_response(page))


@bp.post("/invites/<int:invite_id>/revoke")
@authorize("revoke", "invite", load=invite_service.get_invite)
def revoke_invite(invite_id: int):
    found = invite_service.get_invite(current_user, invite_id)
    if submit(FlaskForm(), lambda: invite_service.revoke_invite(current_user, found)):
        flash(_("The invite no longer works."), "ok")
    return redirect(url_for(".invite", invite_id=found.id))


@bp.post("/invites/pending")
@authorize("approve", "user")
def decide_pending():
    """Approve or refuse the ticked people (all shown, when every box is ticked)."""
    ids = [int(i) for i in request.form.getlist("user_ids") if i.isdigit() and len(i) < 10]
    approve = request.form.get("decision") == "approve"
    decide = invite_service.approve_people if approve else invite_service.refuse_people
    count = submit(FlaskForm(), lambda: decide(current_user, ids))
    if count is not None:
        message = _("%(n)s approved.", n=count) if approve else _("%(n)s refused.", n=count)
        flash(message, "ok")
    return redirect(url_for(".invites"))
