"""People: list, add, edit (coordinators: workers and coordinators of their own area)."""

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField

from app import qr
from app.blueprints.coordinate import bp
from app.extensions import db
from app.guard import authorize
from app.kit import (
    answer_status,
    page_of,
    private,
    renew_own_session,
    start_page_import,
    submit,
)
from app.kit.forms import NONE_CHOICE, UserForm
from app.kit.work_forms import ImportForm
from app.models import FORCES
from app.policy import COORDINATOR_MAY_GIVE, FIXED_FOR_SELF, can
from app.schemas.user import UserSchema
from app.services import areas as area_service
from app.services import sign_in_codes
from app.services import users as user_service
from app.services.localtime import to_local

USER_FIELDS = [
    "username",
    "display_name",
    "password",
    "role",
    "force",
    "area_id",
    "grid_ids",
    "phone",
    "active",
]
PEOPLE_TEMPLATE_CSV = (
    "姓名,手机号,力量类型,区域,用户名,网格\r\n张三,13800000000,骑手,区域编码或名称,,\r\n"
)


def _prepare(form: UserForm) -> None:
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    none = [NONE_CHOICE] if current_user.area_id is None else []
    form.area_id.choices = none + [
        (a.id, f"{'　' * (a.path.count('/') - 2)}{a.name}") for a in areas
    ]
    form.grid_ids.choices = [(a.id, a.name) for a in areas if a.level == "grid"]
    if not can(current_user, "grant", "privilege"):
        form.role.choices = [c for c in form.role.choices if c[0] in COORDINATOR_MAY_GIVE]


def _drop_fixed_fields(form: UserForm, user) -> None:
    """One's own role, force and area are not offered (someone above changes them); when a request
    sends them anyway, they stay, and the service refuses a change with 403."""
    if user.id != current_user.id:
        return
    for name in FIXED_FOR_SELF:
        if request.method == "GET" or name not in request.form:
            del form[name]


@bp.route("/users", methods=["GET", "POST"])
@authorize("create", "user", areas=("area_id",), then=user_service.check_grants, methods=["POST"])
def users():
    """People in scope, with a form to add one."""
    form = UserForm()
    _prepare(form)
    user = submit(
        form, lambda data: user_service.create_user(current_user, data), schema=UserSchema()
    )
    if user is not None:
        flash(_("Added %(name)s.", name=user.display_name), "ok")
        return redirect(url_for(".users"))
    query = user_service.list_users(
        current_user, role=request.args.get("role") or None, force=request.args.get("force") or None
    )
    return render_template("coordinate/users.html", form=form, users=page_of(query)), answer_status(
        form
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@authorize("update", "user", load=user_service.get_user)
def edit_user(user_id: int):
    """Change a person's role, area, grids, password or active flag."""
    user = user_service.get_user(current_user, user_id)
    form = UserForm(obj=user)
    _prepare(form)
    if request.method == "GET":
        form.grid_ids.data = [g.id for g in user.grids]
    _drop_fixed_fields(form, user)
    # A blank password keeps the one they have.
    saved = submit(
        form,
        lambda data: user_service.update_user(current_user, user, data),
        schema=UserSchema(partial=("password",)),
    )
    if saved is not None:
        renew_own_session(user)
        flash(_("Saved."), "ok")
        return redirect(url_for(".users"))
    fields = [name for name in USER_FIELDS if name in form]
    return render_template(
        "coordinate/user_edit.html",
        form=form,
        user=user,
        fields=fields,
        own=user.id == current_user.id,
        locked_until=user_service.login_locked_until(user),
    ), answer_status(form)


@bp.post("/users/<int:user_id>/unlock")
@authorize("unlock", "user")
def unlock_user(user_id: int):
    """Let a person locked out by failed logins try again now (admins)."""
    user = user_service.get_user(current_user, user_id)
    user_service.unlock_login(current_user, user)
    flash(_("%(name)s may log in again now.", name=user.display_name), "ok")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/users/import", methods=["GET", "POST"])
@authorize("import", "user")
def import_people():
    """Upload a people sheet; every row is checked and either all are added or updated, or none."""
    form = ImportForm()
    report, job = start_page_import(form, "people")
    if report is not None and not report["error_count"]:
        flash(
            _(
                "Imported: %(created)s added, %(updated)s updated.",
                created=report["created"],
                updated=report["updated"],
            ),
            "ok",
        )
        return redirect(url_for(".users"))
    status = 422 if report is not None else 202 if job else answer_status(form)
    return render_template(
        "coordinate/people_import.html", form=form, report=report, job=job
    ), status


@bp.get("/users/import/template.csv")
@authorize("import", "user")
def people_import_template():
    """A people sheet to fill in, UTF-8 with a BOM so that Excel opens the Chinese headers."""
    return Response(
        "\ufeff" + PEOPLE_TEMPLATE_CSV,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=people.csv"},
    )


class SlipsForm(FlaskForm):
    """Which people to print one-time sign-in slips for (those who have no password yet)."""

    area_id = HiddenField()
    force = HiddenField()


def _slip_filters() -> dict:
    source = request.form if request.method == "POST" else request.args
    force = source.get("force") if source.get("force") in FORCES else None
    area = source.get("area_id", "")
    return {"area_id": int(area) if area.isdigit() and len(area) < 10 else None, "force": force}


@bp.route("/users/sign-in-slips", methods=["GET", "POST"])
@authorize("issue", "sign_in_code")
def sign_in_slips():
    """The people of one's area who have not signed in yet; POST prints a slip with a fresh
    one-time code for each (their earlier slips stop working)."""
    filters = _slip_filters()
    people = db.session.scalars(
        sign_in_codes.people_without_password(current_user, **filters)
    ).all()
    form = SlipsForm(data=filters)
    slips = submit(form, lambda: sign_in_codes.issue_sign_in_codes(current_user, people))
    if slips is not None:
        printed = [
            {
                "person": p,
                "svg": Markup(qr.qr_svg(sign_in_codes.sign_in_url(code))),
                "until": to_local(until).date(),
            }
            for p, code, until in slips
        ]
        return private(
            make_response(render_template("coordinate/sign_in_slips.html", slips=printed))
        )
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    return render_template(
        "coordinate/sign_in_slips_pick.html",
        form=form,
        people=people,
        filters=filters,
        areas=areas,
        forces=FORCES,
    ), answer_status(form)


@bp.post("/users/<int:user_id>/sign-in-codes/revoke")
@authorize("revoke", "sign_in_code", load=user_service.get_user)
def revoke_sign_in_codes(user_id: int):
    """Withdraw a person's unused sign-in slips (one was lost or handed to someone else)."""
    user = user_service.get_user(current_user, user_id)
    form = SlipsForm()
    if submit(form, lambda: sign_in_codes.revoke_sign_in_codes(current_user, user) or True):
        flash(_("%(name)s's sign-in slips no longer work.", name=user.display_name), "ok")
    return redirect(url_for(".edit_user", user_id=user.id))
