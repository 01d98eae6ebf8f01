"""Pieces every resource's schemas share: paging and list envelopes."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

from app.extensions import db

MAX_PER_PAGE = 200


class PageArgs(Schema):
    """`page` and `per_page` on every list."""

    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


@cache
def list_schema(item_schema: type[Schema]) -> type[Schema]:
    """The `{"items": [...], "total": N}` envelope around an item schema."""
    name = item_schema.__name__.removesuffix("Schema") + "ListSchema"
    return type(name, (Schema,), {"items": fields.List(fields.Nested(item_schema)),
                                  "total": fields.Int(), "page": fields.Int(), "per_page": fields.Int()})


def paginate(query, args: dict) -> dict:
    """Run a select() for one page and count the whole, as the list envelope expects."""
    page, per_page = args.get("page", 1), args.get("per_page", 50)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def name_field(**kwargs) -> fields.Str:
    """A trimmed, non-empty human name."""
    return fields.Str(validate=validate.Length(min=1, max=kwargs.pop("max", 120)), **kwargs)


Latitude = lambda **kw: fields.Float(validate=validate.Range(min=-90, max=90), allow_nan=False, **kw)  # noqa: E731
Longitude = lambda **kw: fields.Float(validate=validate.Range(min=-180, max=180), allow_nan=False, **kw)  # noqa: E731
