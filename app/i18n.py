"""Which language and time zone a page is shown in: zh unless the person chose English."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

LANG_COOKIE = "lang"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


LOGIN_MESSAGE = N_("Please log in to open this page.")


def select_locale() -> str:
    """An explicit ?lang=, then the cookie, then the user's setting; for a JSON answer the
    client's Accept-Language (our own pages send theirs); then zh.

    Pages ignore Accept-Language: the interface is Chinese unless the person chooses English."""
    config = current_app.config
    languages = config["LANGUAGES"]
    if has_request_context():
        asked = request._get_current_object()  # read several times: not through the proxy
        # Asked with `in` first: a missing key's .get() builds a KeyError on every request.
        for values, key in ((asked.args, "lang"), (asked.cookies, LANG_COOKIE)):
            if key in values and values[key] in languages:
                return values[key]
        user = current_user._get_current_object()
        if user and getattr(user, "locale", None) in languages:
            return user.locale
        from app.errors import wants_json  # app.errors reads this module's messages

        if wants_json():
            accepted = asked.accept_languages.best_match(languages)
            if accepted:
                return accepted
    return config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def product_name() -> str:
    """The product's display name in the page's language (a setting: districts name it their way)."""
    config = current_app.config
    return config["PRODUCT_NAME"] if current_locale_code() == "zh" else config["PRODUCT_NAME_EN"]


def current_locale_code() -> str:
    locale = get_locale()
    return locale.language if locale else "zh"
