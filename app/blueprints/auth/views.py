"""Log in and out of the pages (session cookie)."""

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.blueprints.auth import bp
from app.blueprints.auth.forms import LoginForm
from app.extensions import client_address
from app.guard import authorize
from app.kit import answer_headers, answer_status, submit
from app.redirects import safe_next
from app.schemas.user import TokenRequestSchema
from app.services import auth as auth_service
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
