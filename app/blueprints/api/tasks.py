"""Tasks per grid: assignment, progress counted from evidence, reported counts."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.task import (
    BulkAssignResultSchema,
    BulkAssignSchema,
    ReassignResultSchema,
    ReassignSchema,
    TaskPatchSchema,
    TaskQuerySchema,
    TaskReportOutSchema,
    TaskReportSchema,
    TaskSchema,
)
from app.services import assignments, task_progress
from app.services import tasks as task_service

URL = "/tasks"
blp = protected_blueprint(
    "api_tasks", __name__, "Tasks per grid (任务), progress counted from evidence"
)


@blp.route("")
class Tasks(MethodView):
    @authorize("read", "task")
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, list_schema(TaskSchema))
    def get(self, args):
        """Tasks the caller sees (a worker: theirs and their grids'), soonest due first."""
        page = paginate(task_service.list_tasks(current_user, args), args)
        task_progress.attach_progress(page["items"])
        return page

    @authorize("create", "task", areas=("area_id",), then=task_service.check_people)
    @blp.arguments(TaskSchema)
    @blp.response(201, TaskSchema)
    def post(self, data):
        """Add a task to a grid."""
        return task_service.create_task(current_user, data)


@blp.route("/<int:task_id>")
class TaskById(MethodView):
    @authorize("read", "task")
    @blp.response(200, TaskSchema)
    def get(self, task_id):
        """One task with its progress."""
        return task_service.get_task(current_user, task_id)

    @authorize("update", "task", load=task_service.find_task, then=task_service.check_people)
    @blp.arguments(TaskPatchSchema)
    @blp.response(200, TaskSchema)
    def patch(self, data, task_id):
        """Change a task: title, period, target, assignees, sites, or status (done, cancelled, reopened)."""
        return task_service.update_task(
            current_user, task_service.get_task(current_user, task_id), data
        )


@blp.route("/<int:task_id>/report", methods=["POST"])
@authorize("report", "task", load=task_service.find_task)
@blp.arguments(TaskReportSchema)
@blp.response(201, TaskSchema)
@blp.alt_response(
    200, schema=TaskSchema, description="The same client_id again: nothing more stored"
)
def report(data, task_id):
    """An assignee reports a count (lectures held, stalls run, leaflets handed out)."""
    task, created = task_service.report_count(
        current_user, task_service.get_task(current_user, task_id), data
    )
    return task, 201 if created else 200


@blp.route("/<int:task_id>/reports", methods=["GET"])
@authorize("read", "task")
@blp.response(200, TaskReportOutSchema(many=True))
def reports(task_id):
    """The activities reported on the task: when, where, audience, materials; latest first."""
    return task_service.list_reports(current_user, task_service.get_task(current_user, task_id))


@blp.route("/bulk-assign", methods=["POST"])
@authorize("assign", "task", areas=("area_id",))
@blp.arguments(BulkAssignSchema)
@blp.response(200, BulkAssignResultSchema)
def bulk_assign(data):
    """Add (or set) the people of a force under an area to every unfinished task of a kind or campaign there."""
    return assignments.bulk_assign(current_user, data)


@blp.route("/reassign", methods=["POST"])
@authorize("assign", "task", then=assignments.check_people)
@blp.arguments(ReassignSchema)
@blp.response(200, ReassignResultSchema)
def reassign(data):
    """Move someone's unfinished tasks to another person, or just take them off (they left)."""
    return assignments.reassign(current_user, data)
