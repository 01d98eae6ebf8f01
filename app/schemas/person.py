"""People: the person page (its commendation input, its JSON), the leaderboard, and the people
list for assignment with its "assign all shown"."""

from marshmallow import Schema, fields, validate

from app.models import FORCES
from app.schemas.common import Day, Id, PageArgs, QueryId, Text
from app.schemas.coverage import CoverageQuerySchema
from app.schemas.task import LocalDateTime
from app.services.access import effective_grids
from app.services.assignment_list import LOADS
from app.services.people_activity import MEASURES


class CommendationSchema(Schema):
    """褒奖: why, and on which day (today by default)."""

    reason = Text(required=True, validate=validate.Length(min=1, max=500))
    awarded_on = Day(allow_none=True, load_default=None)


class LeaderboardQuerySchema(CoverageQuerySchema):
    force = fields.Str(load_default=None, validate=validate.OneOf(FORCES))
    sort = fields.Str(load_default=MEASURES[0], validate=validate.OneOf(MEASURES))


class PeopleQuerySchema(PageArgs):
    """The people list for assignment: active field workers of the caller's area."""

    force = fields.Str(validate=validate.OneOf(FORCES))
    area_id = QueryId(metadata={"description": "any area in the caller's: its whole subtree"})
    active = fields.Bool(
        allow_none=True,
        metadata={"description": "true: a check-in, visit or report this month; false: none"},
    )
    load = fields.Str(
        validate=validate.OneOf(LOADS),
        metadata={"description": "open tasks assigned: none, light (1-3), heavy (more)"},
    )
    q = Text(
        validate=validate.Length(max=64),
        metadata={"description": "name or username; 4 or more digits also match the phone"},
    )


class AssignAllSchema(Schema):
    """The filters of the people list (everyone they match, not one page) and one target."""

    force = fields.Str(validate=validate.OneOf(FORCES))
    area_id = Id(allow_none=True)
    active = fields.Bool(allow_none=True)
    load = fields.Str(allow_none=True, validate=validate.OneOf(LOADS))
    q = Text(allow_none=True, validate=validate.Length(max=64))
    task_id = Id(allow_none=True, metadata={"description": "onto this task (a grid's)"})
    campaign_id = Id(
        allow_none=True,
        metadata={
            "description": "onto the campaign's tasks of the grids each person works; for a "
            "campaign of a force, a task of their own each"
        },
    )
    grid_id = Id(allow_none=True, metadata={"description": "this grid joins the grids they work"})


class AssignAllResultSchema(Schema):
    matched = fields.Int(metadata={"description": "people the filters matched"})
    added = fields.Int(metadata={"description": "assignments made (people onto tasks or grid)"})
    already = fields.Int(metadata={"description": "people already there: nothing done"})
    tasks = fields.Int(metadata={"description": "tasks that gained someone"})


class PersonRowSchema(Schema):
    """A person on the assignment list; the phone masked (138****1234)."""

    id = fields.Int()
    display_name = fields.Str()
    username = fields.Str()
    force = fields.Str(allow_none=True)
    area_id = fields.Int()
    area_name = fields.Function(lambda u: u.area.name if u.area else None)
    phone = fields.Str(attribute="masked_phone", allow_none=True)
    grid_ids = fields.Function(lambda u: [g.id for g in effective_grids(u)])
    open_tasks = fields.Int()
    active_this_month = fields.Bool()


class PersonFiguresSchema(Schema):
    first = fields.Date()
    last = fields.Date()
    checkins = fields.Int()
    visits = fields.Int()
    reports = fields.Int()
    reported_count = fields.Int()
    audience = fields.Int()
    tasks_due = fields.Int()
    tasks_done = fields.Int()


class PersonTaskSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    kind = fields.Str()
    status = fields.Str()
    area_id = fields.Int()
    campaign_id = fields.Int(allow_none=True)
    due_at = LocalDateTime()


class PersonCheckInSchema(Schema):
    id = fields.Int()
    site_id = fields.Int()
    task_id = fields.Int(allow_none=True)
    status = fields.Str()
    captured_at = LocalDateTime()


class PersonVisitSchema(Schema):
    id = fields.Int()
    household_id = fields.Int()
    task_id = fields.Int(allow_none=True)
    outcome = fields.Str()
    captured_at = LocalDateTime()


class PersonReportSchema(Schema):
    id = fields.Int()
    task_id = fields.Int()
    count = fields.Int()
    audience = fields.Int(allow_none=True)
    area_id = fields.Int(allow_none=True)
    held_at = LocalDateTime()


class CommendationOutSchema(Schema):
    id = fields.Int()
    reason = fields.Str()
    awarded_on = fields.Date()
    by_id = fields.Int(allow_none=True)


class PersonSummarySchema(Schema):
    id = fields.Int()
    display_name = fields.Str()
    force = fields.Str(allow_none=True)
    role = fields.Str()
    active = fields.Bool()
    area_id = fields.Int(allow_none=True)
    area_name = fields.Function(lambda u: u.area.name if u.area else None)


class PersonPageSchema(Schema):
    """One person's work: this month, the last months one by one (oldest first), this month's
    latest records and their commendations."""

    person = fields.Nested(PersonSummarySchema)
    month = fields.Nested(PersonFiguresSchema)
    series = fields.List(fields.Nested(PersonFiguresSchema))
    tasks = fields.List(fields.Nested(PersonTaskSchema))
    checkins = fields.List(fields.Nested(PersonCheckInSchema))
    visits = fields.List(fields.Nested(PersonVisitSchema))
    reports = fields.List(fields.Nested(PersonReportSchema))
    commendations = fields.List(fields.Nested(CommendationOutSchema))


class LeaderboardRowSchema(Schema):
    rank = fields.Int()
    user_id = fields.Int(attribute="person.id")
    display_name = fields.Str(attribute="person.display_name")
    force = fields.Str(attribute="person.force", allow_none=True)
    area_id = fields.Int(attribute="person.area_id", allow_none=True)
    checkins = fields.Int()
    visits = fields.Int()
    reports = fields.Int()


class LeaderboardSchema(Schema):
    """People of the area who did anything in the period, best first (at most 50)."""

    area_id = fields.Int(allow_none=True)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    force = fields.Str(allow_none=True)
    sort = fields.Str()
    items = fields.List(fields.Nested(LeaderboardRowSchema))
