"""A worker's own sites: those of their grids and of their unfinished tasks, each done or still to
do in the current round (this month: as many accepted check-ins as the site's visits_per_month),
with navigation links for AMap and Baidu in those apps' datums."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from sqlalchemy import func, or_, select

from app import geo
from app.extensions import db
from app.models import Area, CheckIn, Site, Task, User
from app.models.task import task_assignees, task_sites
from app.services import task_progress
from app.services.access import grids_of
from app.services.localtime import start_of_day


def _my_task_sites(user: User):
    return (
        select(task_sites.c.site_id)
        .join(Task, Task.id == task_sites.c.task_id)
        .join(task_assignees, task_assignees.c.task_id == Task.id)
        .where(
            task_assignees.c.user_id == user.id,
            Task.status.not_in(task_progress.FINAL_STATUSES),
        )
    )


def navigation_links(lat: float, lng: float, name: str) -> dict[str, str]:
    """Walking directions to a WGS-84 point: AMap's URI in GCJ-02, Baidu's in BD-09."""
    glat, glng = geo.from_wgs84(lat, lng, "gcj02")
    blat, blng = geo.from_wgs84(lat, lng, "bd09")
    label = quote(name, safe="")
    return {
        "amap": (
            f"https://uri.amap.com/navigation?to={glng:.6f},{glat:.6f},{label}"
            "&mode=walk&coordinate=gaode&callnative=1&src=gridreach"
        ),
        "baidu": (
            f"https://api.map.baidu.com/direction?destination=latlng:{blat:.6f},{blng:.6f}|name:{label}"
            "&mode=walking&coord_type=bd09ll&output=html&src=gridreach"
        ),
    }


def my_sites(user: User, today: date) -> list[dict]:
    """My active sites, those still to do this round first, then by name; positions in WGS-84."""
    first = today.replace(day=1)
    visits = (
        select(CheckIn.site_id, func.count(CheckIn.id).label("n"))
        .where(
            CheckIn.status == "accepted",
            CheckIn.captured_at >= start_of_day(first),
            CheckIn.captured_at < start_of_day(today + timedelta(days=1)),
        )
        .group_by(CheckIn.site_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Site, Area.name, func.coalesce(visits.c.n, 0))
        .join(Area, Area.id == Site.area_id)
        .outerjoin(visits, visits.c.site_id == Site.id)
        .where(
            Site.active == True,  # noqa: E712 (SQL)
            or_(Site.area_id.in_(grids_of(user.id)), Site.id.in_(_my_task_sites(user))),
        )
    ).all()
    sites = [
        {
            "id": site.id,
            "name": site.name,
            "kind": site.kind,
            "address": site.address,
            "grid": grid_name,
            "lat": site.lat,
            "lng": site.lng,
            "visits": int(count),
            "required": site.visits_per_month,
            "done": int(count) >= site.visits_per_month,
            "links": navigation_links(site.lat, site.lng, site.name),
        }
        for site, grid_name, count in rows
    ]
    return sorted(sites, key=lambda s: (s["done"], s["name"], s["id"]))
