"""User input and output; never the password or its hash."""

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates

from app.i18n import N_
from app.models import FORCES, ROLES
from app.schemas.common import Id, PageArgs, QueryId, Text, name_field
from app.services.access import effective_grids
from app.services.phones import normalize_phone

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.\-]{3,64}\Z", error=N_("3-64 letters, digits, _ . -"))
# The column holds 20 characters: an optional + and up to 19 digits or dashes.
PHONE = validate.Regexp(r"^\+?[0-9\-]{5,19}\Z", error=N_("5-20 digits, dashes and a leading +"))
MAX_GRIDS = 200
FORMULA_STARTS = ("=", "+", "-", "@")


class UserSchema(Schema):
    id = fields.Int(dump_only=True)
    username = fields.Str(required=True, validate=USERNAME)
    password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    display_name = name_field(max=80)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    force = fields.Str(allow_none=True, validate=validate.OneOf(FORCES))
    area_id = Id(allow_none=True)
    grid_ids = fields.List(Id(), load_only=True, validate=validate.Length(max=MAX_GRIDS))
    grids = fields.Function(lambda u: [g.id for g in effective_grids(u)], dump_only=True)
    phone = fields.Str(allow_none=True, validate=PHONE)
    active = fields.Bool()
    created_at = fields.DateTime(dump_only=True)


class UserQuerySchema(PageArgs):
    role = fields.Str(validate=validate.OneOf(ROLES))
    force = fields.Str(validate=validate.OneOf(FORCES))
    area_id = QueryId()


class TokenRequestSchema(Schema):
    username = Text(
        required=True,
        strip=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "a username, or the phone number of exactly one person"},
    )
    password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class SmsCodeRequestSchema(Schema):
    """Asking for an SMS login code (a number as people type it: `139 5555 0001` works)."""

    phone = Text(required=True, strip=True, validate=PHONE)

    @pre_load
    def _fold_phone(self, data, **_kwargs):
        if isinstance(data, dict) and isinstance(data.get("phone"), str):
            data = {**data, "phone": normalize_phone(data["phone"])}
        return data


class SmsLoginSchema(SmsCodeRequestSchema):
    """Logging in with the SMS code sent to the phone."""

    code = Text(
        required=True,
        strip=True,
        load_only=True,
        validate=validate.Regexp(r"^[0-9]{6}\Z", error=N_("the 6 digits of the SMS")),
    )


class SmsCodeSentSchema(Schema):
    expires_in = fields.Int(metadata={"description": "seconds the code stays good"})


class TokenSchema(Schema):
    token = fields.Str()
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)


class PersonRowSchema(Schema):
    """One row of a people sheet once its cells are read (the import's own checks follow)."""

    display_name = name_field(max=80)
    phone = fields.Str(required=True, validate=PHONE)
    username = fields.Str(validate=USERNAME)
    force = fields.Str(required=True, validate=validate.OneOf(FORCES))

    @validates("display_name")
    def _not_a_formula(self, value: str, **_kwargs) -> None:
        # A spreadsheet opening an export later would run a name starting with these.
        if value[:1] in FORMULA_STARTS:
            raise ValidationError(N_("must not start with = + - or @"))


class PeopleImportReportSchema(Schema):
    created = fields.Int()
    updated = fields.Int(metadata={"description": "people already in the caller's area, changed"})
    errors = fields.List(fields.Dict())
    error_count = fields.Int(
        metadata={"description": "every bad row's error; `errors` lists the first 1,000"}
    )


class InviteSchema(Schema):
    """A coordinator's new invite: people of this force join this area."""

    area_id = QueryId(required=True)
    force = fields.Str(required=True, validate=validate.OneOf(FORCES))
    days = fields.Int(load_default=14, validate=validate.Range(min=1, max=90))


class JoinSchema(Schema):
    """What a person scanning an invite fills in."""

    display_name = name_field(max=80, required=True)
    phone = fields.Str(required=True, validate=PHONE)
    password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=256))
