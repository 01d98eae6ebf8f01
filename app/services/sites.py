"""Publicity sites: created in a grid, stored in WGS-84, listed within the caller's area."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from app import geo
from app.errors import Invalid
from app.extensions import db
from app.models import Area, Site, User
from app.models.area import recount_counters
from app.policy import require
from app.services import task_progress
from app.services.access import (
    filter_by_scope,
    require_area_in_scope,
    subtree_clause,
    visible_or_404,
)
from app.services.audit import changes, record_event, snapshot
from app.services.storable import check_storable


def get_site(actor: User, site_id: int) -> Site:
    """A site the actor may see."""
    site = db.session.get(Site, site_id)
    return visible_or_404(actor, site, site.area if site else None, "site")


def list_sites(
    actor: User, area_id: int | None = None, kind: str | None = None, active: bool | None = None
):
    """A select() of the sites the actor may see, optionally under one area."""
    query = filter_by_scope(select(Site).options(joinedload(Site.area)), actor, Site.area_id)
    if area_id is not None:
        area = require_area_in_scope(actor, area_id)
        query = query.where(
            Site.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    if kind:
        query = query.where(Site.kind == kind)
    if active is not None:
        query = query.where(Site.active == active)
    return query.order_by(Site.id)


def _grid_in_scope(actor: User, area_id: int) -> Area:
    area = require_area_in_scope(actor, area_id)
    if area.level != "grid":
        raise Invalid(_l("a site belongs to a grid"), {"area_id": _l("must be a grid")})
    return area


def _apply_position(site: Site, data: dict[str, Any]) -> None:
    """Store lat/lng as WGS-84; both come together, since a datum shift moves both."""
    system = data.pop("coord_system", "wgs84")
    if "lat" in data or "lng" in data:
        lat, lng = data.pop("lat", None), data.pop("lng", None)
        if lat is None or lng is None:
            missing = "lat" if lat is None else "lng"
            raise Invalid(
                _l("lat and lng go together"), {missing: _l("required with the other coordinate")}
            )
        site.lat, site.lng = geo.to_wgs84(lat, lng, system)


def create_site(actor: User, data: dict[str, Any]) -> Site:
    """Add a site to a grid the actor manages; coordinates arrive in any datum, stored as WGS-84."""
    require(actor, "create", "site")
    check_storable(data)
    _grid_in_scope(actor, data["area_id"])
    site = Site()
    _apply_position(site, data)
    for key, value in data.items():
        setattr(site, key, value)
    db.session.add(site)
    db.session.flush()
    record_event(actor, "site.create", site, name=site.name)
    return site


def update_site(actor: User, site: Site, data: dict[str, Any]) -> Site:
    """Change a site the actor manages."""
    require(actor, "update", "site", site)
    check_storable(data)
    if "area_id" in data:
        _grid_in_scope(actor, data["area_id"])
    before = snapshot(site, [*data, "lat", "lng"])
    grids = {site.area_id, data.get("area_id", site.area_id)}
    counted_as = (site.area_id, site.kind)
    _apply_position(site, data)
    for key, value in data.items():
        setattr(site, key, value)
    db.session.flush()
    if (
        site.area_id,
        site.kind,
    ) != counted_as:  # its check-ins now count for other grids' or kinds' tasks
        task_progress.settle_tasks(
            task_progress.tasks_counting(None, grids, task_progress.SITE_KINDS)
        )
    record_event(actor, "site.update", site, **changes(before, snapshot(site, before)))
    return site


def rotate_qr(actor: User, site: Site) -> Site:
    """Bump the site's code version: every code printed before stops working."""
    require(actor, "update", "site", site)
    site.qr_version += 1
    db.session.flush()
    record_event(actor, "site.rotate_qr", site, qr_version=site.qr_version)
    return site


def outside_its_grid(site: Site) -> bool:
    """True when the site's grid has a boundary and the site's pin lies outside it."""
    boundary = site.area.boundary if site.area is not None else None
    if not boundary or boundary.get("type") not in ("Polygon", "MultiPolygon"):
        return False
    return not geo.point_in_polygon(site.lat, site.lng, boundary)


def outside_their_grids(sites) -> set[int]:
    """The ids of those sites placed outside their grid's boundary (their areas already loaded)."""
    return {site.id for site in sites if outside_its_grid(site)}


def recount_sites() -> int:
    """Rebuild every area's active_sites and unasked_sites from the site rows (the writers keep
    them; this repairs a database written around them); how many areas changed."""
    areas, sites = Area.__table__, Site.__table__
    active = and_(sites.c.area_id == areas.c.id, sites.c.active == True)  # noqa: E712
    counted = select(func.count(sites.c.id)).where(active).scalar_subquery()
    unasked = (
        select(func.count(sites.c.id))
        .where(active, sites.c.visits_per_month <= 0)
        .scalar_subquery()
    )
    return recount_counters({"active_sites": counted, "unasked_sites": unasked})
