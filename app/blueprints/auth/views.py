"""Log in and out of the pages (session cookie)."""

from flask import (
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.blueprints.auth import bp
from app.blueprints.auth.forms import FirstSignInForm, JoinForm, LoginForm
from app.extensions import client_address, limiter
from app.guard import authorize
from app.kit import answer_headers, answer_status, private, submit
from app.redirects import safe_next
from app.schemas.user import TokenRequestSchema
from app.services import auth as auth_service
from app.services import invites, sign_in_codes
from app.services import users as user_service

__all__ = ["safe_next", "start_session"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page; lands back where the person came from."""
    form = LoginForm(next=request.args.get("next", ""))
    user = submit(
        form,
        lambda data: auth_service.log_in(data["username"], data["password"], client_address()),
        schema=TokenRequestSchema(),
        on_fields=False,
    )
    if user is not None:
        start_session(user, remember=form.remember.data)
        return redirect(safe_next(form.next.data))
    page = render_template("auth/login.html", form=form)
    return page, answer_status(form), answer_headers(form)


@bp.route("/s/<code>", methods=["GET", "POST"])
def first_sign_in(code: str):
    """A printed slip's link: set a password with the one-time code, and be signed in."""
    found = sign_in_codes.live_code(code)
    if found is None:
        page = render_template("auth/first_sign_in.html", form=None, person=None)
        return private(make_response(page, 404))
    form = FirstSignInForm()
    person = submit(form, lambda: sign_in_codes.redeem_sign_in_code(code, form.password.data))
    if person is not None:
        start_session(person, remember=True)
        flash(_("Your password is set. Welcome, %(name)s.", name=person.display_name), "ok")
        return redirect(url_for("main.home"))
    page = render_template("auth/first_sign_in.html", form=form, person=found.user)
    return private(make_response(page, answer_status(form)))


@bp.route("/i/<token>", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["INVITE_JOINS_PER_ADDRESS"],
    methods=["POST"],
    key_func=client_address,
)
def join(token: str):
    """A printed invite's link: ask to join as a worker of its force and area, then wait."""
    invite = invites.live_invite(token)
    if invite is None:
        page = render_template("auth/join.html", form=None, invite=None, joined=None)
        return private(make_response(page, 404))
    form = JoinForm()
    joined = submit(
        form,
        lambda: invites.join_by_invite(
            invite,
            {
                "display_name": form.display_name.data,
                "phone": form.phone.data,
                "password": form.password.data,
            },
        ),
    )
    page = render_template("auth/join.html", form=form, invite=invite, joined=joined)
    return private(make_response(page, 201 if joined else answer_status(form)))


@bp.post("/logout")
@authorize("use", "pages")
def logout():
    """End the session, and every copy of it or of the remember cookie."""
    user_service.end_sessions(current_user, tokens=False)
    logout_user()
    return redirect(url_for("auth.login"))


def start_session(user, remember: bool) -> None:
    """Log in with a fresh CSRF secret, so that a token planted before login is worthless."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)
    login_user(user, remember=remember)
