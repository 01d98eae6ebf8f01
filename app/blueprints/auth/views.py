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
from app.blueprints.auth.forms import (
    ContinueForm,
    FirstSignInForm,
    JoinForm,
    LoginForm,
    SmsLoginForm,
)
from app.errors import NotFound
from app.extensions import client_address, limiter
from app.guard import authorize
from app.kit import answer_headers, answer_status, private, submit
from app.redirects import safe_next
from app.schemas.user import SmsCodeRequestSchema, SmsLoginSchema, TokenRequestSchema
from app.services import auth as auth_service
from app.services import invites, sign_in_codes
from app.services import sms_login as sms_codes
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
    page = render_template("auth/login.html", form=form, sms=sms_codes.enabled())
    return page, answer_status(form), answer_headers(form)


@bp.route("/login/sms", methods=["GET", "POST"])
def sms_login():
    """Log in with the code an SMS brought (only where an SMS gateway is configured)."""
    _sms_offered()
    form = SmsLoginForm(next=request.args.get("next", ""))
    person = submit(
        form,
        lambda data: sms_codes.log_in_by_code(data["phone"], data["code"], client_address()),
        schema=SmsLoginSchema(),
    )
    if person is not None:
        slip = sms_codes.password_slip(person)
        if slip is not None:  # imported, no password yet: choose one first
            return redirect(url_for("auth.first_sign_in", code=slip))
        start_session(person, remember=form.remember.data)
        return redirect(safe_next(form.next.data))
    page = render_template("auth/sms_login.html", form=form, asked=form.is_submitted())
    return private(make_response(page, answer_status(form), answer_headers(form)))


@bp.post("/login/sms/code")
def sms_code():
    """Send a code to the phone number typed (the same answer whether or not it is anyone's)."""
    _sms_offered()
    form = SmsLoginForm()
    outgoing = submit(
        form,
        lambda data: sms_codes.request_code(data["phone"], client_address()) or False,
        schema=SmsCodeRequestSchema(),
    )
    page = render_template("auth/sms_login.html", form=form, asked=outgoing is not None)
    response = private(make_response(page, answer_status(form), answer_headers(form)))
    if outgoing:  # sent once the request has committed, the answer already on its way
        response.call_on_close(outgoing.send)
    return response


def _sms_offered() -> None:
    if not sms_codes.enabled():
        raise NotFound(_("Logging in by SMS code is not offered here."))


@bp.post("/browser-link")
@authorize("issue", "browser_link")
@limiter.limit(
    lambda: current_app.config["BROWSER_LINKS_PER_USER"],
    key_func=lambda: f"browser-link/{current_user.get_id()}",
)
def browser_link():
    """A one-time link to continue, signed in, in the phone's own browser (out of WeChat's):
    its page, which says how to open it there."""
    code = sign_in_codes.issue_browser_link(current_user, request.form.get("next"))
    return redirect(url_for("auth.first_sign_in", code=code), 303)


@bp.route("/s/<code>", methods=["GET", "POST"])
def first_sign_in(code: str):
    """A one-time code's link: a printed slip (set a password, and be signed in) or a browser
    link (continue, signed in, on the page it was made on)."""
    found = sign_in_codes.live_code(code)
    if found is None:
        page = render_template("auth/first_sign_in.html", form=None, person=None)
        return private(make_response(page, 404))
    if found.purpose == "link":
        return _continue_with(code)
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


def _continue_with(code: str):
    """A browser link: GET shows a button (a GET writes nothing, and chat apps fetch links to
    preview them); posting it signs the person in and lands them where the link was made."""
    form = ContinueForm()
    landed = submit(form, lambda: sign_in_codes.redeem_browser_link(code))
    if landed is not None:
        person, target = landed
        start_session(person, remember=True)
        return redirect(target)
    page = render_template("auth/continue.html", form=form)
    return private(make_response(page, answer_status(form)))


def start_session(user, remember: bool) -> None:
    """Log in with a fresh CSRF secret, so that a token planted before login is worthless."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)
    login_user(user, remember=remember)
