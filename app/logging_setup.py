"""Logging: one dictConfig for the app and gunicorn, one line per request, no secrets in any line.

Every line carries the request id (from a valid incoming `X-Request-ID`, else made here), which
is also sent back in the `X-Request-ID` response header. Paths are logged without their query
string and with QR tokens replaced; a last filter masks phone numbers, bearer tokens and
passwords in whatever a line says, tracebacks included.
"""

from __future__ import annotations

import logging
import logging.config
import os
import re
import time

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

REQUEST_ID_HEADER = "X-Request-ID"
# What nginx's $request_id and most tracing systems send; anything else is replaced.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Route arguments that are secrets: their value never reaches a log line.
# (/s/CODE: a one-time sign-in slip or browser link; /i/TOKEN: an invite.)
SECRET_ARGS = frozenset({"token", "code"})

request_log = logging.getLogger("gridreach.request")

# The last line of defence, applied to every formatted line.
_SCRUBS = (
    # A QR, quiz, sign-in or invite token in a path, e.g. a 404 for /c/SOMETHING or a gunicorn
    # access line.
    (re.compile(r"(/[cqsi]/)(?!<token>|<code>|offline\b)[^\s/?#\"']+"), r"\1<token>"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1<redacted>"),
    (
        re.compile(r"(?i)((?:password|passwd|secret|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&}]+"),
        r"\1<redacted>",
    ),
    (re.compile(r"(?i)((?:session|remember_token)=)[^\s;\"',]+"), r"\1<redacted>"),
    # Phone numbers: a run of 7 or more digits standing alone (ids and counts in our lines are
    # shorter; digits inside a request id or a word are left).
    (re.compile(r"(?<![\w.-])\+?\d{7,}(?![\w.-])"), "<number>"),
)


def scrub(text: str) -> str:
    """`text` with tokens, passwords and phone numbers replaced."""
    for pattern, replacement in _SCRUBS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id`: the current request's, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() if has_request_context() else "-"
        return True


class ScrubbingFormatter(logging.Formatter):
    """A formatter whose output (message and traceback) goes through `scrub`."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def logging_config(level: str = "INFO", log_file: str | None = None) -> dict:
    """The one logging configuration, for create_app and for gunicorn's `logconfig_dict`."""
    handler: dict = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    if log_file:
        # Watched: logrotate may move the file under a running server.
        handler = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": log_file,
            "encoding": "utf-8",
        }
    handler.update(formatter="line", filters=["request_id"])
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "line": {
                "()": ScrubbingFormatter,
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            }
        },
        "handlers": {"default": handler},
        "root": {"level": level, "handlers": ["default"]},
        "loggers": {
            "gunicorn.error": {"level": level, "propagate": True},
            "gunicorn.access": {"level": "INFO", "propagate": True},
            # The development server's own request lines carry full URLs: ours replace them.
            "werkzeug": {"level": "WARNING", "propagate": True},
            # /readyz reads the migration state: alembic's INFO lines would follow every call.
            # (`flask db upgrade` still prints its steps: migrations/env.py sets its own levels.)
            "alembic": {"level": "WARNING", "propagate": True},
        },
    }


def configure_logging(app: Flask) -> None:
    """Apply the configuration and log one line per request."""
    logging.config.dictConfig(
        logging_config(app.config["LOG_LEVEL"], app.config.get("LOG_FILE") or None)
    )

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        current_request_id()

    @app.after_request
    def log_request(response):
        response.headers[REQUEST_ID_HEADER] = current_request_id()
        if not request_log.isEnabledFor(logging.INFO):
            return response  # the line's parts are not even worked out
        started = g.get("request_started")
        duration = f"{(time.perf_counter() - started) * 1000:.1f}" if started else "-"
        request_log.info(
            "%s %s status=%s user=%s addr=%s duration_ms=%s",
            request.method,
            loggable_path(),
            response.status_code,
            _user_id(),
            request.remote_addr,
            duration,
        )
        return response


def _user_id() -> str:
    """The id of the user this request loaded, read without a query (the commit expired the object)."""
    state = sa_inspect(g.get("_login_user"), raiseerr=False)  # None for no user or an anonymous one
    identity = state.identity if state is not None else None
    return str(identity[0]) if identity else "-"


def current_request_id() -> str:
    """This request's id: the client's or proxy's when it looks like one, else a new one."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()
    return g.request_id


def loggable_path() -> str:
    """The request's path without its query string, secret route arguments replaced by their name."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path  # an unmatched /c/SOMETHING is left to the formatter, which scrubs every line
