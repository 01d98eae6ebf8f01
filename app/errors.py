"""Domain exceptions, and the one place that turns any error into JSON or a page."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import format_time, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app.error_messages import errors_in_language, http_message, in_language
from app.extensions import db
from app.logging_setup import loggable_path

log = logging.getLogger(__name__)


def _ignore(_error: DomainError) -> None:
    pass


# Told of every domain error made; the app sets it (register_transactions) to mark the request.
_on_domain_error: Callable[[DomainError], None] = _ignore


def on_domain_error(listener: Callable[[DomainError], None]) -> None:
    """Set the one listener told of every domain error as it is made (raised, then perhaps caught)."""
    global _on_domain_error
    _on_domain_error = listener


class DomainError(Exception):
    """An error a service raises; `errors` maps field names to messages.

    Messages are lazy strings (`_l("... %(n)d ...", n=...)`), so that the same error reads in
    the language of whoever it is shown to; a plain literal is looked up in the catalogue.
    Making one tells the request (see on_domain_error): a request that met a domain error rolls
    back, even when a page catches it and answers 2xx or 3xx."""

    status = 400

    def __init__(self, message, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = {k: v if isinstance(v, list) else [v] for k, v in (errors or {}).items()}
        _on_domain_error(self)

    def explain(self) -> str:
        """The message a person reads, in their language."""
        return in_language(self.message)

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries (none but a 429's Retry-After)."""
        return {}


class Invalid(DomainError):
    """The input names a field whose value breaks a rule."""

    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Unauthorized(DomainError):
    status = 401


class TooManyAttempts(DomainError):
    """Too many failed logins: `retry_at` says when the person may try again."""

    status = 429

    def __init__(self, retry_at: datetime):
        super().__init__("too many failed logins")
        self.retry_at = retry_at

    @property
    def retry_after(self) -> int:
        """Whole seconds until `retry_at`, at least 1."""
        return max(1, math.ceil((self.retry_at - datetime.now(UTC)).total_seconds()))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}

    def explain(self) -> str:
        """The sentence a person reads, in their language, with the minutes and the local time."""
        minutes = math.ceil(self.retry_after / 60)
        return ngettext(
            "Too many failed logins. Try again in %(num)d minute, at %(time)s.",
            "Too many failed logins. Try again in %(num)d minutes, at %(time)s.",
            minutes,
            time=format_time(self.retry_at, "HH:mm"),
        )


class TooManyAnswers(TooManyAttempts):
    """Too many quiz answers from one phone or one address: `retry_at` says when more count."""

    def __init__(self, retry_at: datetime, limit: str):
        super().__init__(retry_at)
        self.message = _l("too many answers from this %(limit)s", limit=limit)
        self.errors = {limit: [self.message]}

    def explain(self) -> str:
        return gettext(
            "Thank you: this phone or network has sent enough answers today. Try again later."
        )


class TooManyCodes(TooManyAttempts):
    """Too many SMS login codes asked for one number or from one address."""

    def __init__(self, retry_at: datetime):
        super().__init__(retry_at)
        self.message = "too many SMS codes asked for"

    def explain(self) -> str:
        minutes = math.ceil(self.retry_after / 60)
        return ngettext(
            "Too many codes asked for. Try again in %(num)d minute, at %(time)s.",
            "Too many codes asked for. Try again in %(num)d minutes, at %(time)s.",
            minutes,
            time=format_time(self.retry_at, "HH:mm"),
        )


class TooLarge(DomainError):
    """The input passes a size limit (bytes, rows, inflated size); the message names the limit."""

    status = 413


def wants_json() -> bool:
    """API paths, and clients that prefer JSON, get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _json_error(status: int, message, errors: dict | None = None, headers=None, extra=None):
    body: dict = {"code": status, "message": in_language(message), **(extra or {})}
    if errors:
        body["errors"] = {"json": errors_in_language(errors)}
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _too_large_message() -> str:
    """A request past MAX_CONTENT_LENGTH: name the limit, in the reader's language."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return gettext("the request is larger than %(limit)s MB", limit=limit)


def register_error_handlers(app: Flask) -> None:
    """Answer every error in JSON for the API and as a page for people."""

    @app.errorhandler(TooManyAttempts)
    def handle_too_many_attempts(error: TooManyAttempts):
        headers = error.headers()
        message = error.explain()
        if wants_json():
            return _json_error(
                429,
                message,
                headers=headers,
                extra={
                    "retry_after": error.retry_after,
                    "retry_at": error.retry_at.isoformat(timespec="seconds"),
                },
            )
        return render_template("error.html", status=429, message=message), 429, headers

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()  # as the answer will: the page below reads what was, not the refused
        if wants_json():
            return _json_error(error.status, error.message, error.errors)
        message = error.explain()
        return render_template(
            "error.html",
            status=error.status,
            message=message,
            field_errors=errors_in_language(error.errors) if error.errors else None,
        ), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        headers = dict(error.get_headers()) if status in (405, 429) else {}
        headers.pop("Content-Type", None)
        message = http_message(status, error.description, type(error).description)
        if status == 413:
            message = _too_large_message()
        if wants_json():
            # flask-smorest puts schema errors in error.data["messages"] as {location: {field: [...]}}.
            data = getattr(error, "data", None) or {}
            messages = data.get("messages") or {}
            errors = {}
            for location_errors in messages.values():
                if isinstance(location_errors, dict):
                    errors.update(location_errors)
                elif location_errors:  # the body as a whole, e.g. "Invalid JSON body."
                    errors["_schema"] = list(location_errors)
            if status == 413:
                errors = {"file": [message]}
            return _json_error(status, data.get("message") or message, errors, headers)
        said_by_title = status in (403, 404, 429) and error.description == type(error).description
        page = render_template(
            "error.html", status=status, message=None if said_by_title else message
        )
        return page, status, headers

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(error: IntegrityError):
        # A unique constraint lost to a concurrent request that passed the same service check.
        from app.extensions import db

        db.session.rollback()
        log.info(
            "integrity error on %s %s: %s",
            request.method,
            loggable_path(),
            type(error.orig).__name__,
        )
        message = _l("conflicts with data saved at the same moment; try again")
        if wants_json():
            return _json_error(409, message)
        return render_template("error.html", status=409, message=str(message)), 409

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, loggable_path())
        if wants_json():
            return _json_error(500, _l("internal error"))
        return render_template("error.html", status=500, message=None), 500
