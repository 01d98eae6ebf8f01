"""A last check before the database: values every engine can store, whatever page or call sent them."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.errors import Invalid

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def check_storable(data: dict[str, Any]) -> None:
    """422 naming each field whose text holds a NUL (PostgreSQL refuses it) or whose whole
    number does not fit a 32-bit INTEGER column, instead of a database error."""
    errors = {}
    for field, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            errors[field] = _l("must not contain NUL characters")
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            errors[field] = _l("number out of range")
    if errors:
        raise Invalid(_l("a value cannot be stored"), errors)
