"""The page kit every page blueprint shares: submitting a form, paging a list, cache headers.

Blueprints import this package (and app.blueprints, guard, redirects), never each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, flash, render_template, request, session, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from marshmallow import Schema

from app.errors import DomainError
from app.extensions import db
from app.kit.contract import load_form, place_errors, posted_body, show_rules
from app.schemas.common import page_args, paginate

T = TypeVar("T")


def submit(
    form: FlaskForm,
    call: Callable[..., T],
    *,
    schema: Schema | None = None,
    on_fields: bool = True,
) -> T | None:
    """Load a posted `form` through the resource's `schema`, then `call(data)` the service with
    what it loaded: the service's result, or None when the schema or the service refused.

    A refused form keeps the status its page answers (`answer_status`): 422 for a wrong field,
    else the domain error's own (422 Invalid, 409 Conflict, 403, 404, 413). Messages go on the
    form's fields of the same name; a message with no such field is flashed (a domain error's
    always with `on_fields=False`). Without a schema the form's own WTForms validators check it
    and `call()` takes nothing: forms with no input of their own (revoking an invite or a
    person's sign-in codes, printing slips for the listed people: CSRF only), and three that still
    read their input otherwise (joining by invite, whose service normalises the phone before its
    JoinSchema; the first sign-in's password pair; the ticked people of the pending invites)."""
    if schema is None:
        if not form.validate_on_submit():
            if form.is_submitted():
                form.error_status = 422
            return None
        data = None
    else:
        show_rules(form, schema)
        if not form.is_submitted():
            return None
        data = load_form(form, schema)
        if data is None:
            return None
    try:
        return call() if schema is None else call(data)
    except DomainError as error:
        # The request rolls back anyway (transactions by outcome); rolling back now lets the page
        # shown again read the database as it was, not the refused change still pending.
        db.session.rollback()
        form.error_status, form.refusal = error.status, error
        unplaced = place_errors(form, error.errors) if on_fields else list(error.errors)
        if unplaced or not error.errors:
            flash(error.explain(), "error")
        return None


def answer_status(*forms: FlaskForm | None, ok: int = 200) -> int:
    """The status a page with these forms answers: the first refused form's, else `ok`."""
    for form in forms:
        if form is None:
            continue
        status = getattr(form, "error_status", None) or (422 if form.errors else None)
        if status:
            return status
    return ok


def answer_headers(form: FlaskForm) -> dict[str, str]:
    """The headers a refused form's answer carries (a 429's Retry-After)."""
    refusal = getattr(form, "refusal", None)
    return refusal.headers() if refusal is not None else {}


def refused(form: FlaskForm):
    """The answer to a small form posted from a row of a list (no page of its own to show it again):
    the error page with the form's status and its messages by field (flashed ones shown too)."""
    status = answer_status(form, ok=422)
    return render_template(
        "error.html", status=status, message=None, field_errors=form.errors or None
    ), status


@dataclass
class Page:
    """One page of a list, with the whole count and links that keep the list's filters."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The 1-based position of the first item on this page (0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def url(self, number: int) -> str:
        """This list at page `number`, with the same filters (and path arguments)."""
        args = {**request.view_args, **request.args.to_dict(), "page": number}
        return url_for(request.endpoint, **args)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def page_of(query, per_page: int = 50) -> Page:
    """One page of a select(): `page` and `per_page` from the query string, bounded as in the API
    (a bad one answers 422 naming it), and the whole count for the pager."""
    args = page_args(request.args)
    if not request.args.get("per_page", "").strip():
        args["per_page"] = per_page
    found = paginate(query, args)
    return Page(found["items"], found["total"], found["page"], found["per_page"])


def private(response, *, revalidate: bool = False):
    """Keep a page with people's names and numbers out of shared caches: `no-store`, or with
    `revalidate` (phone pages a service worker may show offline) `no-cache`."""
    response.headers["Cache-Control"] = "private, no-cache" if revalidate else "private, no-store"
    return response


def renew_own_session(user) -> None:
    """After people end their own sessions (a new password), keep the one they are using."""
    if user.id == current_user.id and "_user_id" in session:
        cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        login_user(user, remember=cookie in request.cookies)


def start_page_import(form: FlaskForm, kind: str, schema: Schema | None = None):
    """Import the form's `file` (loaded through `schema`, the API's file schema, when given):
    (the report as answered, None) or (None, the background job).

    A refused form or a file past a limit keeps its status on the form and gives (None, None)."""
    from app.models import Job
    from app.services.imports import start_import

    def start(data=None):
        upload = data["file"] if data is not None else form.file.data
        return start_import(current_user, kind, upload.read())

    result = submit(form, start, schema=schema)
    if isinstance(result, Job):
        return None, result
    return (result.as_dict() if result is not None else None), None


__all__ = [
    "Page",
    "answer_headers",
    "answer_status",
    "posted_body",
    "load_form",
    "page_of",
    "private",
    "refused",
    "renew_own_session",
    "show_rules",
    "start_page_import",
    "submit",
]


def daily_report_text(report: dict) -> str:
    """The daily report as a short summary, ready to paste into a chat group (a rendering, so it
    lives here rather than among the rules)."""
    return render_template("dashboard/daily_report.txt", report=report).strip() + "\n"
