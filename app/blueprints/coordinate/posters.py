"""Printable posters of site codes: one per site (A4 or A5), or a sheet for a whole community or grid."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app import qr
from app.blueprints.coordinate import bp
from app.errors import Invalid
from app.extensions import db
from app.guard import authorize
from app.models import Site
from app.services import areas as area_service
from app.services import sites as site_service

SIZES = ("A4", "A5")
BATCH_LEVELS = ("community", "grid")


def _size() -> str:
    size = (request.args.get("size") or "A4").upper()
    if size not in SIZES:
        raise Invalid(_l("size must be A4 or A5"), {"size": _l("A4 or A5")})
    return size


def _poster(site: Site) -> dict:
    """What one poster shows: the code (inline SVG, vector for the printer) and its labels."""
    url = qr.site_url(site)
    grid = site.area
    return {
        "site": site,
        "url": url,
        "svg": Markup(qr.qr_svg(url)),
        "grid": grid,
        "community": grid.parent if grid is not None else None,
    }


def _render(posters: list[dict], size: str, title: str):
    # Posters hang in public for workers: always printed in Chinese, whatever the screen language.
    with force_locale("zh"):
        return render_template("coordinate/poster.html", posters=posters, size=size, title=title)


@bp.get("/sites/<int:site_id>/poster")
@authorize("print", "site", load=site_service.get_site)
def site_poster(site_id: int):
    """One site's poster, ready for the printer (?size=A4 or A5)."""
    site = site_service.get_site(current_user, site_id)
    return _render([_poster(site)], _size(), site.name)


@bp.get("/areas/<int:area_id>/posters")
@authorize("print", "site", load=area_service.get_area)
def area_posters(area_id: int):
    """A poster for every active site under a community or grid, one per printed page."""
    area = area_service.get_area(current_user, area_id)
    size = _size()
    if area.level not in BATCH_LEVELS:
        raise Invalid(_l("choose a community or a grid"), {"area_id": _l("a community or a grid")})
    sites = db.session.scalars(
        site_service.list_sites(current_user, area_id=area.id, active=True)
    ).all()
    return _render([_poster(site) for site in sites], size, area.name)
