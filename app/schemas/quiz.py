"""Quizzes (知晓率问答): what a coordinator writes, what the public page sends, awareness figures."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.content.quiz_bank import BANK, bank_questions
from app.content.tips import TIPS
from app.i18n import N_
from app.models import QUIZ_AUDIENCES
from app.qr import quiz_url
from app.schemas.common import Count, Id, QueryId, Text, name_field
from app.schemas.coverage import PeriodArgs

MAX_QUESTIONS = 30
MAX_CHOICES = 8
MAX_ALLOWANCE = 100_000
MAX_ELAPSED_MS = 24 * 3600 * 1000


class QuestionSchema(Schema):
    """One question: its choices and the indexes of the right ones (several: multiple choice)."""

    text = Text(strip=True, required=True, validate=validate.Length(min=1, max=300))
    choices = fields.List(
        Text(strip=True, validate=validate.Length(min=1, max=120)),
        required=True,
        validate=validate.Length(min=2, max=MAX_CHOICES),
    )
    answer = fields.List(
        fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_CHOICES - 1)),
        required=True,
        validate=validate.Length(min=1, max=MAX_CHOICES),
    )

    @validates_schema
    def _answer_names_choices(self, data, **kwargs):
        answer, choices = data.get("answer") or [], data.get("choices") or []
        if any(i >= len(choices) for i in answer) or len(set(answer)) != len(answer):
            raise ValidationError(N_("must list distinct indexes of the choices"), "answer")


def _normalise(question: dict) -> dict:
    return {**question, "answer": sorted(question["answer"])}


class QuizCreateSchema(Schema):
    """POST /quizzes."""

    title = name_field(required=True)
    audience = fields.Str(required=True, validate=validate.OneOf(QUIZ_AUDIENCES))
    area_id = Id(required=True)
    pass_mark = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1))
    questions = fields.List(
        fields.Nested(QuestionSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_QUESTIONS),
    )
    address_allowance = Count(MAX_ALLOWANCE, minimum=1, load_default=None)

    def load(self, *args, **kwargs):
        data = super().load(*args, **kwargs)
        data["questions"] = [_normalise(q) for q in data["questions"]]
        return data


class QuizPatchSchema(Schema):
    """PATCH /quizzes/ID: raise a school's allowance, close or reopen a quiz."""

    title = name_field()
    pass_mark = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1))
    address_allowance = Count(MAX_ALLOWANCE, minimum=1)
    active = fields.Bool()


class QuizSchema(Schema):
    """A quiz as its coordinator reads it (with the right answers)."""

    id = fields.Int()
    token = fields.Str()
    public_url = fields.Method("_public_url")
    title = fields.Str()
    audience = fields.Str()
    area_id = fields.Int()
    pass_mark = fields.Float()
    questions = fields.List(fields.Nested(QuestionSchema))
    address_allowance = fields.Int()
    active = fields.Bool()
    created_at = fields.AwareDateTime()

    def _public_url(self, quiz) -> str:
        return quiz_url(quiz)


class QuizQuerySchema(Schema):
    area_id = QueryId(load_default=None)


class QuizResponseCreateSchema(Schema):
    """POST /quiz-responses: no login, no person; `device_id` is a random id the phone keeps."""

    token = Text(required=True, validate=validate.Length(min=1, max=32))
    client_id = fields.UUID(required=True)
    device_id = fields.UUID(load_default=None)
    answers = fields.List(
        fields.List(
            fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_CHOICES - 1)),
            validate=validate.Length(max=MAX_CHOICES),
        ),
        required=True,
        validate=validate.Length(max=MAX_QUESTIONS),
    )
    elapsed_ms = Count(MAX_ELAPSED_MS, load_default=None, allow_none=True)


class QuizResultSchema(Schema):
    score = fields.Float(metadata={"description": "share of questions answered right, 0..1"})
    passed = fields.Bool()
    counted = fields.Bool(metadata={"description": "false for a sheet answered too fast to count"})
    correct = fields.List(
        fields.List(fields.Int()), metadata={"description": "the right choices of each question"}
    )


class AwarenessQuerySchema(PeriodArgs):
    area_id = QueryId(load_default=None)


class AreaAwarenessSchema(Schema):
    area_id = fields.Int(allow_none=True)
    name = fields.Str(allow_none=True)
    level = fields.Str()
    responses = fields.Int(metadata={"description": "counted responses in the period"})
    passed = fields.Int()
    awareness_rate = fields.Float(metadata={"description": "passed / responses, 0..1"})


class AwarenessSchema(AreaAwarenessSchema):
    date_from = fields.Str(data_key="from")
    date_to = fields.Str(data_key="to")
    children = fields.List(fields.Nested(AreaAwarenessSchema))


CHOICE_LABEL = re.compile(r"^[A-Ha-h][.．、)）]\s*")
RIGHT_MARKS = "*＊"


def parse_questions(text: str) -> list[dict]:
    """Questions written as text: a block per question (blank lines between), its first line the
    question, each further line a choice, a leading * marking a right one ("A." labels dropped)."""
    questions = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        choices, answer = [], []
        for line in lines[1:]:
            if line[0] in RIGHT_MARKS:
                answer.append(len(choices))
                line = line[1:].strip()
            choices.append(CHOICE_LABEL.sub("", line))
        questions.append({"text": lines[0], "choices": choices, "answer": answer})
    return questions


class QuizPageSchema(Schema):
    """The coordinators' page: questions from the bank (their numbers) and written as text,
    folded into what POST /quizzes takes and checked by the same schema (QuizCreateSchema)."""

    title = name_field(required=True)
    audience = fields.Str(required=True, validate=validate.OneOf(QUIZ_AUDIENCES))
    area_id = QueryId(required=True)
    pass_percent = fields.Int(required=True, validate=validate.Range(min=0, max=100))
    bank = fields.List(
        fields.Int(validate=validate.Range(min=0, max=len(BANK) - 1)), load_default=list
    )
    questions_text = Text(load_default="", validate=validate.Length(max=20_000))
    address_allowance = fields.Int(
        load_default=None, validate=validate.Range(min=1, max=MAX_ALLOWANCE)
    )

    @post_load
    def _fold(self, page, **kwargs):
        body = {
            "title": page["title"],
            "audience": page["audience"],
            "area_id": page["area_id"],
            "pass_mark": page["pass_percent"] / 100,
            "questions": bank_questions(page["bank"]) + parse_questions(page["questions_text"]),
            "address_allowance": page["address_allowance"],
        }
        try:
            return QuizCreateSchema().load(body)
        except ValidationError as error:
            if "questions" not in error.messages:
                raise
            raise ValidationError(
                [N_("each question needs 2 to 8 choices and a right one (*)")], "questions_text"
            ) from None


class TipsPageSchema(Schema):
    """The tips ticked on an area's page (none: the area takes those above it, or the default)."""

    tips = fields.List(fields.Str(validate=validate.OneOf(list(TIPS))), load_default=list)
