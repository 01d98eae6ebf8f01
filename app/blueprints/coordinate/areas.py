"""The area tree: list, add, edit."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.coordinate import bp
from app.extensions import db
from app.geo import COORD_SYSTEMS
from app.guard import authorize
from app.kit import answer_status, submit
from app.kit.forms import NONE_CHOICE, AreaForm
from app.policy import can
from app.schemas.area import AreaSchema
from app.services import areas as area_service


def _parent_choices():
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    return [NONE_CHOICE] + [
        (a.id, f"{'　' * (a.path.count('/') - 2)}{a.name}") for a in areas if a.level != "grid"
    ]


@bp.route("/areas", methods=["GET", "POST"])
@authorize("create", "area", areas=("parent_id",), methods=["POST"])
def areas():
    """The tree in the coordinator's scope, with a form to add an area."""
    form = AreaForm()
    form.parent_id.choices = _parent_choices()
    area = submit(
        form, lambda data: area_service.create_area(current_user, data), schema=AreaSchema()
    )
    if area is not None:
        flash(_("Added %(name)s.", name=area.name), "ok")
        return redirect(url_for(".areas"))
    tree = db.session.scalars(area_service.list_areas(current_user)).all()
    return render_template("coordinate/areas.html", form=form, tree=tree), answer_status(form)


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@authorize("update", "area", load=area_service.get_area, methods=["POST"])
def edit_area(area_id: int):
    """Change an area's name, code and counts."""
    area = area_service.get_area(current_user, area_id)
    form = AreaForm(obj=area)
    form.parent_id.choices = _parent_choices()
    del form.level, form.parent_id
    saved = submit(
        form, lambda data: area_service.update_area(current_user, area, data), schema=AreaSchema()
    )
    if saved is not None:
        flash(_("Saved."), "ok")
        return redirect(url_for(".areas"))
    may_draw = can(current_user, "update", "area", area) and can(current_user, "import", "boundary")
    return render_template(
        "coordinate/area_edit.html", form=form, area=area, may_draw=may_draw
    ), answer_status(form)


@bp.get("/areas/boundaries")
def boundaries():
    """Import boundaries from a GeoJSON file: previewed on the map, then saved (through the API)."""
    return render_template("coordinate/boundary_import.html", coord_systems=COORD_SYSTEMS)
