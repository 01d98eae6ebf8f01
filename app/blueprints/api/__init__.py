"""The JSON API under /api/v1 (flask-smorest), one module per resource."""

from __future__ import annotations

from importlib import import_module

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from app.blueprints import API_PREFIX
from app.blueprints.api.docs import ErrorDocumentingSpec
from app.errors import Unauthorized
from app.extensions import api, csrf
from app.json_body import BodyParser
from app.services.auth import user_for_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PREFIX = API_PREFIX
# One module per resource, each with `blp` and `URL`.
RESOURCES = (
    "auth",
    "areas",
    "users",
    "sites",
    "checkins",
    "households",
    "visits",
    "campaigns",
    "tasks",
    "warnings",
    "coverage",
    "awareness",
    "assessment",
    "quizzes",
    "quiz_responses",
    "cases",
    "reports",
    "ledgers",
    "jobs",
    "photos",
    "rectifications",
    "checks",
    "notifications",
    "people",
)


def uses_bearer() -> bool:
    """True when the request authenticates with an Authorization: Bearer header."""
    auth = request.headers.get("Authorization", "")
    return auth[:7].lower() == "bearer "


def require_login() -> None:
    """Every API call but the token call needs a user; cookie calls that write need CSRF."""
    if request.method == "OPTIONS":
        return
    if not current_user.is_authenticated or not _bearer_is_the_caller():
        raise Unauthorized(_l("a valid token or session is required"))
    if (
        not uses_bearer()
        and request.method not in SAFE_METHODS
        and current_app.config.get("WTF_CSRF_ENABLED", True)
    ):
        csrf.protect()


def _bearer_is_the_caller() -> bool:
    """A bearer header must be valid even when a session cookie came along (Flask-Login
    prefers the session): a bad or revoked token is a 401, never the cookie's user."""
    if not uses_bearer() or "_user_id" not in session:
        return True
    user = user_for_token(request.headers["Authorization"][7:].strip())
    return user is not None and user.id == current_user.id


class ApiBlueprint(Blueprint):
    """A smorest Blueprint whose arguments parser answers 400 to a body nested too deeply, and
    whose operations document each error status they can answer."""

    ARGUMENTS_PARSER = BodyParser()

    def register_views_in_doc(self, api, app, spec, **kwargs):
        return super().register_views_in_doc(api, app, ErrorDocumentingSpec(spec), **kwargs)


def report_or_error(report_schema: str) -> dict:
    """The documented 422 of an import: its report of bad rows, or the usual error body when the
    request itself is wrong (no file)."""
    return {
        "oneOf": [
            {"$ref": f"#/components/schemas/{report_schema}"},
            {"$ref": "#/components/schemas/Error"},
        ]
    }


def protected_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A smorest Blueprint whose every call requires a logged-in caller."""
    blp = ApiBlueprint(name, import_name, description=description)
    blp.before_request(require_login)
    return blp


def register_api(app: Flask) -> None:
    """Bind flask-smorest and register every resource under /api/v1."""
    api.init_app(app)
    # Every operation lists its own error statuses (docs.py); a catch-all `default` would let any
    # undocumented status pass for documented.
    api.DEFAULT_ERROR_RESPONSE_NAME = None
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    for name in RESOURCES:
        module = import_module(f"app.blueprints.api.{name}")
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix=PREFIX + module.URL)
