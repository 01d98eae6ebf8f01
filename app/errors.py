"""Domain exceptions, and the one place that turns any error into JSON or a page."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """An error a service raises; `errors` maps field names to messages."""

    status = 400

    def __init__(self, message: str, errors: dict[str, list[str] | str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = {k: v if isinstance(v, list) else [v] for k, v in (errors or {}).items()}


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


def wants_json() -> bool:
    """API paths, and clients that prefer JSON, get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _json_error(status: int, message: str, errors: dict | None = None, headers=None):
    body: dict = {"code": status, "message": message}
    if errors:
        body["errors"] = {"json": errors}
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    """Answer every error in JSON for the API and as a page for people."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            return _json_error(error.status, error.message, error.errors)
        message = gettext(error.message)
        return render_template("error.html", status=error.status, message=message,
                               field_errors=error.errors), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        headers = dict(error.get_headers()) if status in (405, 429) else {}
        headers.pop("Content-Type", None)
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
            message = data.get("message") or error.description or error.name
            return _json_error(status, message, errors, headers)
        page = render_template("error.html", status=status, message=error.description)
        return page, status, headers

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(error: IntegrityError):
        # A unique constraint lost to a concurrent request that passed the same service check.
        from app.extensions import db

        db.session.rollback()
        log.info("integrity error on %s %s: %s", request.method, request.path, type(error.orig).__name__)
        message = "conflicts with data saved at the same moment; try again"
        if wants_json():
            return _json_error(409, message)
        return render_template("error.html", status=409, message=gettext(message)), 409

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return _json_error(500, "internal error")
        return render_template("error.html", status=500, message=None), 500
