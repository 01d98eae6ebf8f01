"""What every engine can store: the rules the shared schema field types apply to input, and one
last check before each flush, so that no writer (API, page, import, command) meets a database error.

PostgreSQL refuses a NUL character in text and in JSON; no engine's driver can encode a lone UTF-16
surrogate (JSON's "\\ud800" decodes to one); a string longer than its VARCHAR, a whole number past a
32-bit INTEGER, a decimal past its NUMERIC precision or a float that is not finite fail on one engine
or the other. Each is answered as a 422 naming the field instead."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, Integer, Numeric, SmallInteger, String, event, inspect
from sqlalchemy.engine import Engine

from app.errors import Invalid
from app.i18n import N_
from app.models.base import INT32_MAX, INT32_MIN

# NUL, and any surrogate code point (Python only holds them unpaired: valid pairs decode to one character).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# SQLAlchemy names bound parameters after their column, numbered: label_1, reference_1_1.
_BIND_SUFFIX = re.compile(r"(_\d+)+$")
# How deep a JSON column's value may nest (GeoJSON polygons are 4 levels deep).
MAX_JSON_DEPTH = 16


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return (
        N_("must not contain NUL characters")
        if found.group() == "\x00"
        else N_("must be valid Unicode text")
    )


def int_problem(value: int, low: int = INT32_MIN, high: int = INT32_MAX) -> str | None:
    """Why a whole number does not fit an INTEGER column, or None when it does."""
    return None if low <= value <= high else N_("number out of range")


def check_storable(data: dict[str, Any]) -> None:
    """422 naming each field of `data` whose text or whole number no column could hold."""
    errors = {}
    for field, value in data.items():
        problem = _value_problem(value)
        if problem:
            errors[field] = problem
    if errors:
        raise Invalid(_l("a value cannot be stored"), errors)


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return N_("must be a finite number")
    return None


def _json_problem(value: Any, depth: int = 0) -> str | None:
    if depth > MAX_JSON_DEPTH:
        return N_("nested too deeply")
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = value
    else:
        return _value_problem(value) if not isinstance(value, int) else None
    for item in items:
        problem = _json_problem(item, depth + 1)
        if problem:
            return problem
    return None


def _numeric_problem(value: Decimal, column_type: Numeric) -> str | None:
    if not value.is_finite():
        return N_("must be a finite number")
    if column_type.precision is None:
        return None
    whole_digits = column_type.precision - (column_type.scale or 0)
    return N_("number out of range") if abs(value) >= Decimal(10) ** whole_digits else None


def column_problem(column_type, value: Any) -> str | None:
    """Why `value` cannot be stored in a column of this type, or None."""
    if value is None:
        return None
    if isinstance(column_type, JSON):
        return _json_problem(value)
    if isinstance(value, str):
        problem = text_problem(value)
        length = getattr(column_type, "length", None) if isinstance(column_type, String) else None
        if problem is None and length is not None and len(value) > length:
            problem = N_("too long to store")
        return problem
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and isinstance(column_type, Integer):
        bits = (
            64
            if isinstance(column_type, BigInteger)
            else 16
            if isinstance(column_type, SmallInteger)
            else 32
        )
        return int_problem(value, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if isinstance(value, Decimal) and isinstance(column_type, Numeric):
        return _numeric_problem(value, column_type)
    if isinstance(value, float) and not math.isfinite(value):
        return N_("must be a finite number")
    return None


def row_problems(obj, changed_only: bool = False) -> dict[str, str]:
    """Each column of a mapped object whose value cannot be stored, with the reason (of a row already
    stored, only the columns changed since it was loaded)."""
    state = inspect(obj)
    problems = {}
    for attr in state.mapper.column_attrs:
        if attr.key not in state.dict:
            continue
        if changed_only and not state.attrs[attr.key].history.has_changes():
            continue
        value = state.dict[attr.key]
        for column in attr.columns:
            problem = column_problem(column.type, value)
            if problem:
                problems[attr.key] = problem
                break
    return problems


def check_rows(table, rows) -> None:
    """The flush guard's rule for Core inserts (imports write that way): 422 naming each column that
    cannot hold a value of one of the rows."""
    types = {column.key: column.type for column in table.columns}
    errors: dict[str, str] = {}
    for row in rows:
        for key, value in row.items():
            if key not in errors and value is not None and key in types:
                problem = column_problem(types[key], value)
                if problem:
                    errors[key] = problem
    if errors:
        raise Invalid(_l("a value cannot be stored"), errors)


def _before_flush(session, _flush_context, _instances) -> None:
    errors: dict[str, str] = {}
    for obj in session.new:
        errors.update(row_problems(obj))
    for obj in session.dirty:
        errors.update(row_problems(obj, changed_only=True))
    if errors:
        raise Invalid(_l("a value cannot be stored"), errors)


def _before_execute(state) -> None:
    """INSERT and UPDATE statements run through the session with rows of values (bulk writes)."""
    if not (state.is_insert or state.is_update) or not state.parameters:
        return
    table = getattr(state.statement, "table", None)
    if table is not None and hasattr(table, "columns"):
        params = state.parameters
        check_rows(table, params if isinstance(params, list | tuple) else [params])


def _bind_field(name: str) -> str:
    """The field a bound parameter stands for: `reference_1_1` -> `reference` (`_schema` if anonymous)."""
    field = _BIND_SUFFIX.sub("", name)
    return "_schema" if field in ("", "param") else field


def _check_statement_text(conn, cursor, statement, parameters, context, executemany) -> None:
    """Any statement, a search included: text no driver can send (a NUL on PostgreSQL, a lone surrogate
    anywhere) is a 422 naming the field, not a database error. Bulk writes (executemany) are checked
    with their column types above."""
    if executemany or not parameters:
        return
    if isinstance(parameters, Mapping):
        items = parameters.items()
    else:
        compiled = getattr(context, "compiled", None)
        names = getattr(compiled, "positiontup", None) or ["_schema"] * len(parameters)
        items = zip(names, parameters)
    for name, value in items:
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise Invalid(_l("a value cannot be stored"), {_bind_field(name): problem})


def guard_flushes(session) -> None:
    """Check every new and changed row before the session writes it, the rows of INSERT and UPDATE
    statements executed through it, and the text of every statement any engine sends (once each)."""
    if not event.contains(session, "before_flush", _before_flush):
        event.listen(session, "before_flush", _before_flush)
    if not event.contains(session, "do_orm_execute", _before_execute):
        event.listen(session, "do_orm_execute", _before_execute)
    if not event.contains(Engine, "before_cursor_execute", _check_statement_text):
        event.listen(Engine, "before_cursor_execute", _check_statement_text)
