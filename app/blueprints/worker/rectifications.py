"""The assignee's phone page for rectification (整改): the items handed to them, each closed with
a photo of the site put right (uploaded and checked like any photo)."""

from __future__ import annotations

import uuid

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField

from app.blueprints.worker import bp
from app.errors import Invalid
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.schemas.rectification import RectificationCloseSchema
from app.services import photos
from app.services import rectifications as service


class CloseForm(FlaskForm):
    file = FileField(_l("Photo of the site put right"))
    note = TextAreaField(_l("Note"))


def _page(form: CloseForm):
    rows = page_of(service.list_rectifications(current_user, {"status": "assigned"}))
    html = render_template("worker/rectifications.html", rows=rows, form=form)
    return private(make_response(html)), answer_status(form)


@bp.get("/rectifications")
@authorize("read", "rectification")
def my_rectifications():
    """The items assigned to me that are not closed yet."""
    return _page(CloseForm())


# The note by the API's rule; the photo is this page's upload, checked like any photo.
CLOSE_PAGE = RectificationCloseSchema(exclude=("photo_id",))


def _close(item, form: CloseForm, data: dict):
    if not form.file.data:
        raise Invalid(_l("a photo is required"), {"file": [_l("choose or take a photo")]})
    upload = photos.read_upload(form.file.data.stream)
    photo, _created = photos.upload_photo(current_user, uuid.uuid4(), upload)
    return service.close_rectification(current_user, item, photo.id, data.get("note"))


@bp.post("/rectifications/<int:rectification_id>/close")
@authorize("close", "rectification", load=service.get_rectification)
def close_rectification(rectification_id: int):
    """Close one item with its photo, then back to the list."""
    item = service.get_rectification(current_user, rectification_id)
    form = CloseForm()
    if submit(form, lambda data: _close(item, form, data), schema=CLOSE_PAGE) is None:
        return _page(form)
    flash(_("Closed."), "ok")
    return redirect(url_for(".my_rectifications"))
