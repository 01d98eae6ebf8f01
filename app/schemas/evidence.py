"""What a worker may add to their own check-in or visit, at the time or within a day after."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.i18n import N_
from app.models import SITE_CONDITIONS
from app.schemas.common import Count, Id, Text

MAX_NOTE = 1000
MAX_COUNT = 100_000
# A record carries a handful of photos; more is a phone looping, not evidence.
MAX_PHOTOS = 10


def PhotoIds(**kwargs) -> fields.List:
    """Ids of photos the caller uploaded (POST /photos) and that belong to no other record."""
    return fields.List(
        Id(),
        validate=validate.Length(max=MAX_PHOTOS, error=N_("at most {max} photos")),
        **kwargs,
    )


def SiteCondition(**kwargs) -> fields.Str:
    return fields.Str(validate=validate.OneOf(SITE_CONDITIONS), **kwargs)


class EvidenceDetailsSchema(Schema):
    """PATCH /checkins/ID and /visits/ID: the author, within 24 hours; photos are added to the
    record's, the other fields replace what was there. Position and time never change."""

    people_reached = Count(maximum=MAX_COUNT, allow_none=True)
    materials_count = Count(maximum=MAX_COUNT, allow_none=True)
    note = Text(allow_none=True, validate=validate.Length(max=MAX_NOTE))
    site_condition = SiteCondition(allow_none=True)
    photo_ids = PhotoIds()
