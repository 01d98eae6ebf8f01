"""Publicity sites: list, add, edit."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from app.blueprints.coordinate import bp
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, start_page_import, submit
from app.kit.forms import SiteForm
from app.schemas.household import ImportFileSchema
from app.schemas.site import SiteSchema
from app.services import areas as area_service
from app.services import sites as site_service
from app.services.rectifications import last_known

TEMPLATE_CSV = (
    "网格,名称,类型,纬度,经度,坐标系,半径,地址\r\n"
    "网格编码或名称,幸福小区东门展板,展板,30.27415,120.15515,gcj02,100,幸福路1号\r\n"
)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"))


def _grid_choices():
    grids = db.session.scalars(area_service.list_areas(current_user, level="grid")).all()
    return [(g.id, g.name) for g in grids]


@bp.route("/sites", methods=["GET", "POST"])
@authorize("create", "site", areas=("area_id",), methods=["POST"])
def sites():
    """Sites in scope (filter by area), with a form to add one."""
    form = SiteForm()
    form.area_id.choices = _grid_choices()
    site = submit(
        form, lambda data: site_service.create_site(current_user, data), schema=SiteSchema()
    )
    if site is not None:
        flash(_("Added %(name)s.", name=site.name), "ok")
        return redirect(url_for(".sites"))
    area_id = request.args.get("area_id", type=int)
    rows = page_of(site_service.list_sites(current_user, area_id=area_id))
    return render_template(
        "coordinate/sites.html",
        form=form,
        sites=rows,
        area_id=area_id,
        grids=form.area_id.choices,
        outside=site_service.outside_their_grids(rows.items),
        known=last_known([s.id for s in rows]),
    ), answer_status(form)


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
@authorize("update", "site", load=site_service.get_site, areas=("area_id",), methods=["POST"])
def edit_site(site_id: int):
    """Change a site; coordinates may be entered in any datum."""
    site = site_service.get_site(current_user, site_id)
    form = SiteForm(obj=site)
    form.area_id.choices = _grid_choices()
    saved = submit(
        form, lambda data: site_service.update_site(current_user, site, data), schema=SiteSchema()
    )
    if saved is not None:
        flash(_("Saved."), "ok")
        return redirect(url_for(".sites"))
    return render_template(
        "coordinate/site_edit.html",
        form=form,
        site=site,
        outside=site_service.outside_its_grid(site),
    ), answer_status(form)


@bp.route("/sites/import", methods=["GET", "POST"])
@authorize("import", "site", methods=["POST"])
def import_sites():
    """Upload a CSV or XLSX file of sites; every row is checked and either all are saved or none."""
    form = ImportForm()
    report, job = start_page_import(form, "sites", ImportFileSchema())
    if report is not None and not report["error_count"]:
        flash(
            _(
                "Imported sites: %(created)s added, %(updated)s updated.",
                created=report["created"],
                updated=report["updated"],
            ),
            "ok",
        )
        return redirect(url_for(".sites"))
    status = 422 if report is not None else 202 if job else answer_status(form)
    return render_template("coordinate/site_import.html", form=form, report=report, job=job), status


@bp.get("/sites/import/template.csv")
def site_import_template():
    """A CSV to fill in, UTF-8 with a BOM so that Excel opens the Chinese headers correctly."""
    return Response(
        "\ufeff" + TEMPLATE_CSV,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=sites.csv"},
    )
