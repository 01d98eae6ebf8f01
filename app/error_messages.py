"""The words of error answers, in the reader's language.

Our own messages are lazy strings (`_l`), resolved when the answer is written. Messages that
libraries write in English (marshmallow's and webargs' validation messages, the CSRF check,
HTTP errors) are matched against the tables below and answered with our translation; a
message found in no table is looked up in the catalogue as it is.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.i18n import N_

# marshmallow's and webargs' own messages, as they come out once formatted; %(name)s stands
# for what the library filled in. tests/unit/test_translations.py checks that every built-in
# message of the installed marshmallow matches one of these.
VALIDATION_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid type."),
    N_("Invalid input type."),
    N_("Unknown field."),
    N_("Invalid JSON body."),
    N_("Not a valid boolean."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid mapping type."),
    N_("Not a valid date."),
    N_("Not a valid time."),
    N_("Not a valid datetime."),
    N_("Not a valid aware datetime."),
    N_("Not a valid naive datetime."),
    N_("Not a valid period of time."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid IP address."),
    N_("Not a valid IPv4 address."),
    N_("Not a valid IPv6 address."),
    N_("Not a valid IP interface."),
    N_("Not a valid IPv4 interface."),
    N_("Not a valid IPv6 interface."),
    N_("String does not match expected pattern."),
    N_("Must be one of: %(choices)s."),
    N_("One or more of the choices you made was in: %(values)s."),
    N_("One or more of the choices you made was not in: %(choices)s."),
    N_("Must be equal to %(other)s."),
    N_("Length must be between %(min)s and %(max)s."),
    N_("Length must be %(equal)s."),
    N_("Longer than maximum length %(max)s."),
    N_("Shorter than minimum length %(min)s."),
    N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than %(max)s."),
    N_("Must be greater than %(min)s and less than or equal to %(max)s."),
    N_("Must be greater than %(min)s and less than %(max)s."),
    N_("Must be greater than or equal to %(min)s."),
    N_("Must be greater than %(min)s."),
    N_("Must be less than or equal to %(max)s."),
    N_("Must be less than %(max)s."),
    # Flask-WTF's CSRF check (the phone's outbox recognises these by the word CSRF, kept in translations).
    N_("The CSRF token is missing."),
    N_("The CSRF token is invalid."),
    N_("The CSRF token has expired."),
    N_("The CSRF tokens do not match."),
    N_("The CSRF session token is missing."),
    N_("The referrer header is missing."),
    N_("The referrer does not match the host."),
    N_("The referrer does not match the host: HTTPS is required."),
)

# What an HTTP error says when whoever raised it gave no words of its own.
STATUS_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in."),
    403: _l("You may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with data already saved."),
    413: _l("The request is too large."),
    415: _l("This kind of content is not accepted."),
    422: _l("Some fields are not valid."),
    429: _l("Too many attempts; please wait a moment."),
    500: _l("Internal error."),
}
GENERIC_MESSAGE = _l("The request could not be handled.")

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    """Each table message with placeholders, as a regular expression over the English text."""
    patterns = []
    for msgid in VALIDATION_MESSAGES:
        if "%(" not in msgid:
            continue
        parts = _PLACEHOLDER.split(msgid)  # literal, name, literal, name, ..., literal
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)
        )
        patterns.append((re.compile(regex, re.S), msgid))
    return patterns


def in_language(message) -> str:
    """One message in the reader's language."""
    if isinstance(message, LazyString):
        return str(message)
    if not isinstance(message, str) or not message:
        return message
    for pattern, msgid in _patterns():
        match = pattern.fullmatch(message)
        if match:
            return gettext(msgid, **match.groupdict())
    return gettext(message)


def storable_message(message) -> dict:
    """A message kept for later (a job's report): its English msgid and parameters, not one language."""
    if isinstance(message, LazyString):
        return {
            "msgid": str(message._args[0]),
            "params": {k: str(v) for k, v in message._kwargs.items()},
        }
    return {"msgid": str(message), "params": {}}


def stored_in_language(stored):
    """A stored message tree (storable_message leaves, in dicts and lists) in the reader's language."""
    if isinstance(stored, dict) and "msgid" in stored:
        return (
            gettext(stored["msgid"], **stored["params"])
            if stored["params"]
            else in_language(stored["msgid"])
        )
    if isinstance(stored, dict):
        return {key: stored_in_language(value) for key, value in stored.items()}
    if isinstance(stored, (list, tuple)):
        return [stored_in_language(value) for value in stored]
    return stored


def storable_errors(errors):
    """A per-field error tree with every message made storable."""
    if isinstance(errors, dict):
        return {key: storable_errors(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [storable_errors(value) for value in errors]
    return storable_message(errors)


def errors_in_language(errors):
    """Every message of a per-field error tree (dicts and lists, as marshmallow nests them)."""
    if isinstance(errors, dict):
        return {key: errors_in_language(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [errors_in_language(value) for value in errors]
    return in_language(errors)


def http_message(status: int, description: str | None, default_description: str | None) -> str:
    """The words for an HTTP error: its own description when someone wrote one, else the status's."""
    if description and description != default_description and status != 429:
        return in_language(description)
    return str(STATUS_MESSAGES.get(status, GENERIC_MESSAGE))
