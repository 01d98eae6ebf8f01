"""Log in and out of the pages (session cookie)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from app.blueprints.api.auth import limit_failed_logins
from app.blueprints.auth import bp
from app.blueprints.auth.forms import LoginForm
from app.blueprints.redirects import safe_next
from app.errors import Unauthorized
from app.services import auth as auth_service

__all__ = ["safe_next"]


@bp.route("/login", methods=["GET", "POST"])
@limit_failed_logins
def login():
    """The login page; lands back where the person came from."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = auth_service.authenticate(form.username.data.strip(), form.password.data)
        except Unauthorized:
            flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        return redirect(safe_next(form.next.data))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    logout_user()
    return redirect(url_for("auth.login"))
