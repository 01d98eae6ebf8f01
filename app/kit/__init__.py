"""The page kit every page blueprint shares: submitting a form, paging a list, cache headers.

Blueprints import this package (and app.blueprints, guard, redirects), never each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, flash, render_template, request, session, url_for
from flask_login import current_user, login_user
from flask_wtf import FlaskForm

from app.error_messages import in_language
from app.errors import DomainError
from app.schemas.common import page_args, paginate

T = TypeVar("T")


def submit(form: FlaskForm, call: Callable[[], T], *, on_fields: bool = True) -> T | None:
    """Validate a posted `form`, then `call()` the service: its result, or None when either refused.

    A refused form keeps the status its page answers (`answer_status`): 422 for a wrong field,
    else the domain error's own (422 Invalid, 409 Conflict, 403, 404, 413). The error's messages go
    on the form's fields of the same name; its message is flashed when a message has no such field
    (always with `on_fields=False`)."""
    if not form.validate_on_submit():
        if form.is_submitted():
            form.error_status = 422
        return None
    try:
        return call()
    except DomainError as error:
        form.error_status = error.status
        unplaced = []
        for name, messages in error.errors.items():
            field = getattr(form, name, None) if on_fields else None
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [in_language(m) for m in messages]
            else:
                unplaced.append(name)
        if unplaced or not error.errors:
            flash(in_language(error.message), "error")
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


def start_page_import(form: FlaskForm, kind: str):
    """Import the form's `file`: (the report as answered, None) or (None, the background job).

    A refused form or a file past a limit keeps its status on the form and gives (None, None)."""
    from app.models import Job
    from app.services.imports import start_import

    result = submit(form, lambda: start_import(current_user, kind, form.file.data.read()))
    if isinstance(result, Job):
        return None, result
    return (result.as_dict() if result is not None else None), None


__all__ = [
    "Page",
    "answer_status",
    "page_of",
    "private",
    "refused",
    "renew_own_session",
    "start_page_import",
    "submit",
]


def daily_report_text(report: dict) -> str:
    """The daily report as a short summary, ready to paste into a chat group (a rendering, so it
    lives here rather than among the rules)."""
    return render_template("dashboard/daily_report.txt", report=report).strip() + "\n"
