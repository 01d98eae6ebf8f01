"""People: list, add, edit (coordinators: workers and coordinators of their own area)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.coordinate import bp
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, renew_own_session, submit
from app.kit.forms import NONE_CHOICE, UserForm
from app.policy import COORDINATOR_MAY_GIVE, FIXED_FOR_SELF, can
from app.schemas.user import UserSchema
from app.services import areas as area_service
from app.services import users as user_service

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
