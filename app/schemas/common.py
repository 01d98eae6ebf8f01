"""Pieces every resource's schemas share: paging, list envelopes, and bounded field types."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.errors import Invalid
from app.extensions import db
from app.i18n import N_
from app.models.base import INT32_MAX
from app.services.storable import text_problem

MAX_PER_PAGE = 200
MAX_PAGE = 100_000
# Ids and counts are 32-bit INTEGER columns; a larger number must fail validation, not the database.
MAX_INT = INT32_MAX
# Days outside these years are typing errors; refusing them keeps date arithmetic (and time zones) safe.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class PageArgs(Schema):
    """`page` and `per_page` on every list."""

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


@cache
def list_schema(item_schema: type[Schema]) -> type[Schema]:
    """The `{"items": [...], "total": N}` envelope around an item schema."""
    name = item_schema.__name__.removesuffix("Schema") + "ListSchema"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Int(),
            "page": fields.Int(),
            "per_page": fields.Int(),
        },
    )


def page_args(query_args: Mapping) -> dict:
    """`page` and `per_page` of a page's query string, bounded as in the API: 422 naming a bad one."""
    raw = {key: query_args[key] for key in ("page", "per_page") if query_args.get(key, "").strip()}
    try:
        return PageArgs().load(raw)
    except ValidationError as error:
        raise Invalid(_l("not a page of this list"), dict(error.messages)) from None


def load_query(schema: Schema, query_args: Mapping) -> dict:
    """A page's query string loaded with the API's schema for it (blanks ignored): 422 naming bad ones."""
    try:
        return schema.load(
            {key: value for key, value in query_args.items() if value.strip()}, unknown=EXCLUDE
        )
    except ValidationError as error:
        raise Invalid(_l("bad query"), dict(error.messages)) from None


def paginate(query, args: dict) -> dict:
    """Run a select() for one page and count the whole, as the list envelope expects."""
    page, per_page = args.get("page", 1), args.get("per_page", 50)
    total = db.session.scalar(
        db.select(db.func.count()).select_from(query.order_by(None).subquery())
    )
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "total": total, "page": page, "per_page": per_page}


class Text(fields.Str):
    """A string the database can store: no NUL character (PostgreSQL refuses it), no lone
    surrogate (no driver can encode it); `strip` trims it. Give it a Length(max=) of its column."""

    def __init__(self, *args, strip: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.strip = strip

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem:
            raise ValidationError(problem)
        return text.strip() if self.strip else text


def Day(**kwargs) -> fields.Date:
    """A calendar day (YYYY-MM-DD) between 2000 and 2099."""
    return fields.Date(
        validate=validate.Range(
            min=FIRST_DAY, max=LAST_DAY, error=N_("must lie between 2000 and 2099")
        ),
        **kwargs,
    )


def name_field(**kwargs) -> Text:
    """A trimmed, non-empty human name."""
    return Text(strip=True, validate=validate.Length(min=1, max=kwargs.pop("max", 120)), **kwargs)


def Id(**kwargs) -> fields.Int:
    """A reference to a row in a JSON body: a JSON integer that fits the id column."""
    return fields.Int(strict=True, validate=validate.Range(min=1, max=MAX_INT), **kwargs)


def QueryId(**kwargs) -> fields.Int:
    """A row id given in the query string (text there, so not strict)."""
    return fields.Int(validate=validate.Range(min=1, max=MAX_INT), **kwargs)


def Count(maximum: int = MAX_INT, minimum: int = 0, **kwargs) -> fields.Int:
    """A whole number in a JSON body, bounded so it fits its column."""
    return fields.Int(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)


def Latitude(**kw) -> fields.Float:
    return fields.Float(validate=validate.Range(min=-90, max=90), allow_nan=False, **kw)


def Longitude(**kw) -> fields.Float:
    return fields.Float(validate=validate.Range(min=-180, max=180), allow_nan=False, **kw)
