"""Forms of the quiz pages: writing a quiz, its settings, an area's tips.

They carry the CSRF token and give `submit` the names of the fields the page shows; the
templates draw the inputs themselves (the bank's ticks, the tips' list), and `submit` loads
what they post through the schemas in app/schemas/quiz.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class QuizForm(FlaskForm):
    title = StringField()
    audience = StringField()
    area_id = StringField()
    pass_percent = StringField()
    address_allowance = StringField()
    bank = StringField()  # one value per ticked question of the bank
    questions_text = TextAreaField()


class QuizSettingsForm(FlaskForm):
    address_allowance = StringField()
    active = StringField()


class TipsForm(FlaskForm):
    tips = StringField()  # one value per ticked tip
