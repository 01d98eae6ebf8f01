"""People as a coordinator works with them: the filtered list for assignment and "assign all
shown", one person's work (the person page), and the leaderboard of people."""

from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.person import (
    AssignAllResultSchema,
    AssignAllSchema,
    LeaderboardQuerySchema,
    LeaderboardSchema,
    PeopleQuerySchema,
    PersonPageSchema,
    PersonRowSchema,
)
from app.services import assignment_list, coverage, people_activity
from app.services.people_activity import find_person

URL = "/people"
blp = protected_blueprint(
    "api_people", __name__, "People at work: the assignment list, the person page, leaderboards"
)


@blp.route("", methods=["GET"])
@authorize("list", "user")
@blp.arguments(PeopleQuerySchema, location="query")
@blp.response(200, list_schema(PersonRowSchema))
def list_people(args):
    """Active field workers of the caller's area by force, area, activity this month, load and a
    search (name, username, or 4+ digits of the phone); phones masked; by name."""
    page = paginate(assignment_list.people_query(current_user, args), args)
    assignment_list.describe(current_user, page["items"])
    return page


@blp.route("/assign", methods=["POST"])
@authorize("assign", "task", areas=("area_id", "grid_id"), then=assignment_list.check_target)
@blp.arguments(AssignAllSchema)
@blp.response(200, AssignAllResultSchema)
def assign_all(data):
    """Everyone the filters match (not one page; at most 1,000) onto a task, a campaign or a
    grid: all or nobody; someone already there stays as is, so a retry changes nothing."""
    return assignment_list.assign_all(current_user, data)


@blp.route("/<int:user_id>", methods=["GET"])
@authorize("read", "person", load=find_person)
@blp.response(200, PersonPageSchema)
def person(user_id):
    """One person's tasks, check-ins, visits and reports this month and by month; commendations."""
    return people_activity.person_page(current_user, find_person(current_user, user_id))


@blp.route("/leaderboard", methods=["GET"])
@authorize("read", "leaderboard")
@blp.arguments(LeaderboardQuerySchema, location="query")
@blp.response(200, LeaderboardSchema)
def leaderboard(args):
    """People of the area (default: the caller's) ranked by check-ins, visits or reports in the
    period (default: this month), optionally of one force; at most 50."""
    area = coverage.resolve_area(current_user, args["area_id"])
    period = coverage.make_period(args["date_from"], args["date_to"])
    rows = people_activity.leaderboard(current_user, area, args["force"], period, args["sort"])
    return {
        "area_id": area.id if area else None,
        "date_from": period.first,
        "date_to": period.last,
        "force": args["force"],
        "sort": args["sort"],
        "items": rows,
    }
