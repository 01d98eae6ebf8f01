"""Awareness quizzes (知晓率问答): written by coordinators, answered by anybody at /q/TOKEN."""

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from app import qr
from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import PageArgs, list_schema, paginate
from app.schemas.quiz import QuizCreateSchema, QuizPatchSchema, QuizQuerySchema, QuizSchema
from app.services import quizzes as quiz_service

URL = "/quizzes"
blp = protected_blueprint("api_quizzes", __name__, "Awareness quizzes (知晓率问答)")


class QuizListQuery(QuizQuerySchema, PageArgs):
    pass


@blp.route("")
class Quizzes(MethodView):
    @authorize("read", "quiz", areas=("area_id",))
    @blp.arguments(QuizListQuery, location="query")
    @blp.response(200, list_schema(QuizSchema))
    def get(self, args):
        """Quizzes of the caller's area, newest first."""
        return paginate(quiz_service.list_quizzes(current_user, args["area_id"]), args)

    @authorize("create", "quiz", areas=("area_id",))
    @blp.arguments(QuizCreateSchema)
    @blp.response(201, QuizSchema)
    def post(self, data):
        """Write a quiz for an area; its `public_url` is PUBLIC_BASE_URL/q/TOKEN."""
        return quiz_service.create_quiz(current_user, data)


@blp.route("/<int:quiz_id>")
class OneQuiz(MethodView):
    @authorize("read", "quiz", load=quiz_service.get_quiz)
    @blp.response(200, QuizSchema)
    def get(self, quiz_id):
        """One quiz, with its right answers."""
        return quiz_service.get_quiz(current_user, quiz_id)

    @authorize("update", "quiz", load=quiz_service.get_quiz)
    @blp.arguments(QuizPatchSchema)
    @blp.response(200, QuizSchema)
    def patch(self, data, quiz_id):
        """Raise the allowance per address (a school behind one address), close or reopen."""
        quiz = quiz_service.get_quiz(current_user, quiz_id)
        return quiz_service.update_quiz(current_user, quiz, data)


@blp.route("/<int:quiz_id>/qr.png")
@authorize("print", "quiz", load=quiz_service.get_quiz)
@blp.response(200, content_type="image/png", description="The quiz's printable code (PNG)")
def qr_png(quiz_id):
    """The quiz's code as a PNG; it encodes PUBLIC_BASE_URL/q/TOKEN."""
    quiz = quiz_service.get_quiz(current_user, quiz_id)
    response = Response(qr.qr_png(qr.quiz_url(quiz)), mimetype="image/png")
    response.headers["Content-Disposition"] = f'inline; filename="quiz-{quiz.id}-qr.png"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response
