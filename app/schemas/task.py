"""Campaign and task input and output; times leave in the district's zone (ISO 8601 with +08:00)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate

from app.i18n import N_
from app.models import FORCES, PLANNED_KINDS, TASK_KINDS, TASK_STATUSES
from app.schemas.common import Count, Day, Id, PageArgs, QueryId, Text, name_field
from app.schemas.evidence import PhotoIds
from app.services.localtime import local_zone, to_local
from app.services.task_progress import TARGET_KEYS

MAX_TARGET = 1_000_000


class LocalDateTime(fields.AwareDateTime):
    """Loads a time with a zone offset; dumps it in the district's zone."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(
            to_local(value) if value is not None else None, attr, obj, **kwargs
        )


def Targets(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.Str(validate=validate.OneOf(TARGET_KEYS)),
        values=Count(maximum=MAX_TARGET),
        **kwargs,
    )


class PersonSchema(Schema):
    id = fields.Int()
    display_name = fields.Str()
    force = fields.Str()


class ProgressSchema(Schema):
    done = fields.Int()
    target = fields.Int()


class TaskSchema(Schema):
    id = fields.Int(dump_only=True)
    campaign_id = fields.Int(dump_only=True)
    title = name_field(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(TASK_KINDS))
    area_id = Id(required=True, metadata={"description": "a grid"})
    area_name = fields.Function(lambda t: t.area.name, dump_only=True)
    site_ids = fields.List(Id(), validate=validate.Length(max=500))
    assignee_ids = fields.List(
        Id(),
        validate=validate.Length(max=500),
        metadata={"description": "default: the grid's own grid workers"},
    )
    assignees = fields.List(fields.Nested(PersonSchema), dump_only=True)
    starts_at = LocalDateTime(metadata={"description": "default: the start of today"})
    due_at = LocalDateTime(required=True)
    target_count = Count(
        maximum=MAX_TARGET, metadata={"description": "default: from the grid's households or sites"}
    )
    targets = Targets()
    photo_required = fields.Bool(
        load_default=False,
        metadata={
            "description": "evidence (check-ins; visits for door-to-door and app promotion) "
            "counts only with a photo; without one it is recorded and counts once a photo is added"
        },
    )
    status = fields.Str(dump_only=True)
    overdue = fields.Function(lambda t: t.is_overdue(), dump_only=True)
    progress = fields.Nested(
        ProgressSchema,
        dump_only=True,
        metadata={"description": "counted from evidence, see the task kinds"},
    )
    created_at = LocalDateTime(dump_only=True)


class TaskPatchSchema(Schema):
    """What a coordinator may change; kind and grid stay."""

    title = name_field()
    site_ids = fields.List(Id(), validate=validate.Length(max=500))
    assignee_ids = fields.List(Id(), validate=validate.Length(max=500))
    starts_at = LocalDateTime()
    due_at = LocalDateTime()
    target_count = Count(maximum=MAX_TARGET)
    photo_required = fields.Bool()
    status = fields.Str(validate=validate.OneOf(TASK_STATUSES))


class TaskQuerySchema(PageArgs):
    mine = fields.Bool(metadata={"description": "assigned to me or to my grids"})
    status = fields.Str(validate=validate.OneOf(TASK_STATUSES))
    area_id = QueryId(metadata={"description": "any area: its whole subtree"})
    kind = fields.Str(validate=validate.OneOf(TASK_KINDS))
    campaign_id = QueryId()
    overdue = fields.Bool()


class HeldAt(fields.AwareDateTime):
    """A time with a zone offset; one without (a phone's date-and-time field) is local time."""

    def _deserialize(self, value, attr, data, **kwargs):
        self.default_timezone = local_zone()
        return super()._deserialize(value, attr, data, **kwargs)


class TaskReportSchema(Schema):
    """A reported activity: a lecture (宣讲/授课), a stall (摆摊), a screening (放映), a rider drop."""

    count = Count(
        required=True,
        minimum=1,
        maximum=100_000,
        metadata={"description": "sessions held, stalls run, leaflets handed out"},
    )
    note = Text(allow_none=True, validate=validate.Length(max=1000))
    photo_ids = PhotoIds(
        load_default=list,
        metadata={"description": "photos of the activity (POST /photos), shown with the task"},
    )
    client_id = Text(
        validate=validate.Length(min=8, max=36),
        metadata={"description": "made on the phone; the same id again stores nothing more"},
    )
    held_at = HeldAt(
        allow_none=True,
        metadata={
            "description": "when it took place (default captured_at, else now); not in the future"
        },
    )
    captured_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "when the phone made the report (it may be sent later)"},
    )
    site_id = Id(allow_none=True, metadata={"description": "where: a site (a school, a square)"})
    address = Text(
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "where, when not at a site"},
    )
    area_id = Id(
        allow_none=True,
        metadata={"description": "the area it counts for; default the site's, else the task's"},
    )
    audience = Count(
        allow_none=True,
        maximum=1_000_000,
        metadata={"description": "audience (受教人次) or people reached"},
    )
    materials = Count(
        allow_none=True, maximum=1_000_000, metadata={"description": "materials handed out"}
    )


class TaskReportOutSchema(Schema):
    id = fields.Int()
    task_id = fields.Int()
    kind = fields.Str(attribute="task.kind")
    user_id = fields.Int()
    count = fields.Int()
    held_at = LocalDateTime()
    site_id = fields.Int(allow_none=True)
    address = fields.Str(allow_none=True)
    area_id = fields.Int(allow_none=True)
    audience = fields.Int(allow_none=True)
    materials = fields.Int(allow_none=True)
    note = fields.Str(allow_none=True)


class BulkAssignSchema(Schema):
    area_id = Id(
        required=True,
        metadata={"description": "tasks of grids under this area, people of this area"},
    )
    force = fields.Str(required=True, validate=validate.OneOf(FORCES))
    kind = fields.Str(validate=validate.OneOf(TASK_KINDS))
    campaign_id = Id()
    mode = fields.Str(load_default="add", validate=validate.OneOf(("add", "replace")))


class BulkAssignResultSchema(Schema):
    tasks = fields.Int()
    added = fields.Int()
    people = fields.Int()


class ReassignSchema(Schema):
    from_user_id = Id(required=True)
    to_user_id = Id(allow_none=True, metadata={"description": "none: just take the person off"})


class AssignmentTableSchema(Schema):
    """The assignment page's table as it posts: the rows (tasks) and columns (people) it showed,
    and each ticked cell as "task_id:user_id"; loaded as {"wanted": {task_id: [user_id]}, "shown"}."""

    task = fields.List(Id(), load_default=list, validate=validate.Length(max=5000))
    person = fields.List(Id(), load_default=list, validate=validate.Length(max=5000))
    cell = fields.List(
        Text(validate=validate.Regexp(r"^[0-9]{1,10}:[0-9]{1,10}\Z")),
        load_default=list,
        validate=validate.Length(max=100_000),
    )

    @post_load
    def _table(self, data, **kwargs):
        wanted: dict[int, list[int]] = {task_id: [] for task_id in data["task"]}
        for cell in data["cell"]:
            task_id, user_id = (int(part) for part in cell.split(":"))
            if task_id not in wanted:
                raise ValidationError(N_("a ticked cell is not in a row of the table"), "cell")
            wanted[task_id].append(user_id)
        return {"wanted": wanted, "shown": data["person"]}


class ReassignResultSchema(Schema):
    tasks = fields.Int()
    skipped = fields.List(
        fields.Int(), metadata={"description": "tasks whose grid the successor may not work in"}
    )


class CampaignSchema(Schema):
    id = fields.Int(dump_only=True)
    title = name_field(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(PLANNED_KINDS))
    area_id = Id(
        required=True,
        metadata={"description": "a street, community or grid: one task per grid under it"},
    )
    area_name = fields.Function(lambda c: c.area.name, dump_only=True)
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    targets = Targets(load_default=dict)
    repeat_monthly = fields.Bool(load_default=False)
    photo_required = fields.Bool(
        load_default=False,
        metadata={"description": "copied to each task: its evidence counts only with a photo"},
    )
    force = fields.Str(
        allow_none=True,
        validate=validate.OneOf(FORCES),
        metadata={"description": "one task per active person of this force in area_id instead"},
    )
    previous_id = fields.Int(dump_only=True, allow_none=True)
    created_at = LocalDateTime(dump_only=True)
    tasks = fields.List(fields.Nested(TaskSchema), attribute="scoped_tasks", dump_only=True)


class _CampaignPage(CampaignSchema):
    @post_load
    def _fold_targets(self, data, **kwargs):
        data["targets"] = {key: data.pop(key) for key in TARGET_KEYS if key in data}
        return data


# The campaign page's shape: a number field per target (a blank one sets none) for `targets`,
# each with the rule of a value of `targets`.
CampaignPageSchema = _CampaignPage.from_dict(
    {key: Count(maximum=MAX_TARGET, load_only=True) for key in TARGET_KEYS},
    name="CampaignPageSchema",
)


class CampaignSummarySchema(Schema):
    tasks = fields.Int()
    done = fields.Int()
    cancelled = fields.Int()
    overdue = fields.Int()


class CampaignListItemSchema(CampaignSchema):
    class Meta:
        exclude = ("tasks",)

    summary = fields.Nested(CampaignSummarySchema, dump_only=True)


class CampaignQuerySchema(PageArgs):
    active_on = Day(metadata={"description": "campaigns running on this day"})
