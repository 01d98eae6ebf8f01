"""Answers to a public quiz: no login, no person, exactly once per client_id."""

from app.blueprints.api import ApiBlueprint
from app.extensions import client_address
from app.schemas.quiz import QuizResponseCreateSchema, QuizResultSchema
from app.services import quizzes as quiz_service

URL = "/quiz-responses"
blp = ApiBlueprint(
    "api_quiz_responses", __name__, description="Answers to public quizzes (no login)"
)


@blp.route("", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(QuizResponseCreateSchema)
@blp.response(201, QuizResultSchema)
@blp.alt_response(
    200, schema=QuizResultSchema, description="The same client_id again: counted once"
)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def answer_quiz(data):
    """Send one answered sheet: the score, whether it passed, and the right answers."""
    response, created = quiz_service.answer_quiz(data, client_address())
    result = {
        "score": response.score,
        "passed": response.passed,
        "counted": response.counted,
        "correct": quiz_service.right_answers(response.quiz),
    }
    return result, 201 if created else 200
