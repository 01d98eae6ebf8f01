"""Users within the caller's area."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.blueprints.api.jobs import import_answer, import_call
from app.guard import authorize
from app.kit import renew_own_session
from app.schemas.common import list_schema, paginate
from app.schemas.user import PeopleImportReportSchema, UserQuerySchema, UserSchema
from app.services import imports
from app.services import users as user_service

URL = "/users"
blp = protected_blueprint("api_users", __name__, "People who log in")


@blp.route("")
class Users(MethodView):
    @authorize("list", "user")
    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, list_schema(UserSchema))
    def get(self, args):
        """Users in the caller's scope."""
        query = user_service.list_users(
            current_user, args.get("role"), args.get("force"), args.get("area_id")
        )
        return paginate(query, args)

    @authorize("create", "user", areas=("area_id",), then=user_service.check_grants)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Add a user."""
        return user_service.create_user(current_user, data)


@blp.route("/<int:user_id>")
class UserById(MethodView):
    @authorize("read", "user")
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user."""
        return user_service.get_user(current_user, user_id)

    @authorize(
        "update",
        "user",
        load=user_service.get_user,
        areas=("area_id",),
        then=user_service.check_grants,
    )
    @blp.arguments(UserSchema(partial=True))
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user."""
        user = user_service.get_user(current_user, user_id)
        user = user_service.update_user(current_user, user, data)
        renew_own_session(user)
        return user


@blp.route("/<int:user_id>/unlock", methods=["POST"])
@blp.response(200, UserSchema)
@authorize("unlock", "user")
def unlock_login(user_id):
    """Forget a person's failed logins, so that a locked-out account may log in now (admins; audited)."""
    user = user_service.get_user(current_user, user_id)
    user_service.unlock_login(current_user, user)
    return user


@blp.route("/import", methods=["POST"])
@authorize("import", "user")
@import_call(blp, PeopleImportReportSchema, "PeopleImportReport")
def import_people(files):
    """Import workers from CSV or XLSX (display_name, phone, force, area, optional username and
    grids; or 姓名, 手机号, 力量类型, 区域, 用户名, 网格): all rows or none; a person already in the
    caller's area (same username or phone) is updated; police are never imported."""
    return import_answer(imports.start_import(current_user, "people", files["file"].read()))
