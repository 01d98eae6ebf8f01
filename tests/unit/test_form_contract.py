"""posted_body: a posted form shaped as the JSON body the API's schema takes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from marshmallow import Schema, fields, validate
from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField

from app.kit.contract import load_form, posted_body
from app.schemas.common import Count, Id, Text, name_field


class ThingSchema(Schema):
    name = name_field(required=True)
    note = Text(validate=validate.Length(max=10))
    code = Text(allow_none=True, validate=validate.Length(min=1, max=4))
    count = Count(maximum=9)
    ids = fields.List(Id())
    active = fields.Bool()
    hidden = fields.Str(required=True)  # not on the form: left out, never missing


class ThingForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    note = StringField()
    code = StringField()
    count = IntegerField()
    ids = SelectMultipleField(coerce=int)
    active = BooleanField()


def _posted(app, data):
    with app.test_request_context("/", method="POST", data=data):
        form = ThingForm()
        return posted_body(form, ThingSchema()), load_form(form, ThingSchema()), form


def test_numbers_lists_checkboxes_and_blanks_take_the_api_shape(app):
    body, loaded, _ = _posted(
        app, {"name": " 甲 ", "note": "", "code": " ", "count": "3", "ids": ["1", "2"]}
    )
    assert body == {
        "name": " 甲 ",
        "note": "",
        "code": None,
        "count": 3,
        "ids": [1, 2],
        "active": False,
    }
    assert loaded == {
        "name": "甲",
        "note": "",
        "code": None,
        "count": 3,
        "ids": [1, 2],
        "active": False,
    }


def test_a_blank_required_field_is_missing_and_a_wrong_one_is_refused_on_its_field(app):
    body, loaded, form = _posted(app, {"name": "", "count": "x", "ids": ["0"], "active": "y"})
    assert "name" not in body and body["count"] == "x" and body["active"] is True
    assert loaded is None and form.error_status == 422
    assert set(form.errors) == {"name", "count", "ids"}
