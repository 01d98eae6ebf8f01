"""One input contract for pages and the API: a page's form is loaded through the resource's
marshmallow schema (the API's), and the form only renders (labels, choices, values shown back).

`app.kit.submit` uses these; Flask-WTF's CSRFProtect checks the token before any view runs."""

from __future__ import annotations

import re

from flask import flash, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from marshmallow import Schema, ValidationError, fields, validate
from wtforms import BooleanField

from app.error_messages import in_language


def load_form(form: FlaskForm, schema: Schema) -> dict | None:
    """The posted form loaded with `schema` (the API's contract for the resource), or None with the
    schema's messages on the form's fields (flashed when no field has the name) and status 422.

    The schema's fields the form does not show are left out (`partial`); those it shows and
    the person left blank are missing, so a required one is refused as in the API."""
    shown = {name for name, field in schema.load_fields.items() if _key(name, field) in form}
    partial = schema.partial
    if partial is not True:
        partial = set(partial or ()) | (set(schema.load_fields) - shown)
    try:
        return schema.load(posted_body(form, schema), partial=partial)
    except ValidationError as error:
        form.error_status = 422
        for message in place_errors(form, error.messages):
            flash(message, "error")
        return None


def show_rules(form: FlaskForm, schema: Schema) -> None:
    """The schema's rules as the fields' HTML attributes (required, maxlength, min, max), so that
    a browser can say so before the form is sent; the schema still decides when it is."""
    partial = schema.partial
    for name, field in schema.load_fields.items():
        key = _key(name, field)
        if key not in form:
            continue
        flags = form[key].flags
        if field.required and not (partial is True or name in (partial or ())):
            flags.required = True
        for rule in field.validators:
            if isinstance(rule, validate.Length) and rule.max is not None:
                flags.maxlength = rule.max
            elif isinstance(rule, validate.Range):
                for bound in ("min", "max"):
                    if getattr(rule, bound) is not None:
                        setattr(flags, bound, str(getattr(rule, bound)))


def posted_body(form: FlaskForm, schema: Schema) -> dict:
    """What the form posted, shaped as the JSON body the API takes for the same schema: numbers
    as numbers, a checkbox as true or false, a multi-select or checkbox list as a list, a file as
    itself; a blank field is null where the field allows null, "" where "" is a valid value of
    it, and absent otherwise. Only the schema's fields the form shows are read."""
    body = {}
    for name, field in schema.load_fields.items():
        key = _key(name, field)
        if key not in form:
            continue
        shown = form[key]
        if isinstance(shown, BooleanField):
            body[key] = bool(shown.data)
        elif isinstance(field, fields.List):
            values = request.form.getlist(shown.name)
            body[key] = [_typed(field.inner, v) for v in values if v.strip()]
        elif isinstance(shown, FileField):
            upload = request.files.get(shown.name)
            if upload is not None and upload.filename:
                body[key] = upload
        else:
            raw = request.form.get(shown.name, "")
            if raw.strip():
                body[key] = _typed(field, raw)
            elif field.allow_none:
                body[key] = None
            elif _accepts(field, ""):
                body[key] = ""
    return body


def _key(name: str, field: fields.Field) -> str:
    return field.data_key or name


def _typed(field: fields.Field, raw: str):
    """A posted string as the JSON value the field expects, when it reads as one (else as sent,
    for the schema to refuse with its own message)."""
    text = raw.strip()
    if isinstance(field, fields.Integer) and _WHOLE.fullmatch(text):
        return int(text)
    if isinstance(field, fields.Float) and not isinstance(field, fields.Decimal):
        try:
            return float(text)
        except ValueError:
            return raw
    return raw


_WHOLE = re.compile(r"[+-]?[0-9]{1,40}")


def _accepts(field: fields.Field, value) -> bool:
    try:
        field.deserialize(value)
    except ValidationError:
        return False
    return True


def place_errors(form: FlaskForm, errors: dict) -> list[str]:
    """Put each field's messages (in the reader's language) on the form's field of that name;
    answer the messages that found no field."""
    unplaced = []
    for name, messages in errors.items():
        words = [in_language(m) for m in _flat(messages)]
        field = form[name] if isinstance(name, str) and name in form else None
        if field is not None:
            field.errors = list(field.errors) + words
        else:
            unplaced.extend(words)
    return unplaced


def _flat(messages) -> list:
    """The messages of one field, however marshmallow nested them (a list's by position)."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, (list, tuple)):
        return [m for value in messages for m in _flat(value)]
    return [messages]
