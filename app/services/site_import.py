"""Importing sites from CSV or XLSX: every row checked first, then created or updated, or nothing.

A row names its grid (id, code or name within the caller's area), the site's name, kind and
position in WGS-84, GCJ-02 or BD-09 (stored as WGS-84). A row whose name already belongs to a
site of its grid updates that site, so the same sheet imported twice adds nothing; an empty
radius or address cell leaves an existing site's value as it is.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import geo
from app.errors import Conflict
from app.extensions import db
from app.models import SITE_KINDS, Site, User
from app.models.base import utcnow
from app.models.site import count_sites
from app.policy import require
from app.services import task_progress
from app.services.audit import record_event
from app.services.household_import import COLUMNS as HOUSEHOLD_COLUMNS
from app.services.household_import import GridIndex
from app.services.importing import (
    ImportReport,
    RowMessage,
    bulk_insert,
    chunked,
    read_rows,
    row_message,
)
from app.services.storable import check_rows, text_problem

COLUMNS = {
    "grid": HOUSEHOLD_COLUMNS["grid"],
    "name": ("名称", "点位名称", "点位", "名字", "site", "site name"),
    "kind": ("类型", "点位类型", "type"),
    "lat": ("纬度", "latitude"),
    "lng": ("经度", "longitude", "lon"),
    "coord_system": ("坐标系", "坐标类型", "coordinate system", "datum", "crs"),
    "radius_m": ("半径", "签到半径", "radius", "半径（米）", "半径(米)", "radius (m)"),
    "address": ("地址", "详细地址"),
}
REQUIRED = ("grid", "name", "kind", "lat", "lng")
NAME_MAX = 120
ADDRESS_MAX = 255
RADIUS_RANGE = (10, 5000)
FORMULA_STARTS = ("=", "+", "-", "@")
# What a Chinese sheet is likely to call each kind, besides the English codes themselves.
KIND_ALIASES = {
    "横幅": "banner",
    "展板": "board",
    "宣传栏": "board",
    "电子屏": "screen",
    "反诈专用电子宣传屏": "screen",
    "电子宣传屏": "screen",
    "海报": "poster",
    "影院": "cinema",
    "电影院": "cinema",
    "疫苗接种留观室": "clinic",
    "留观室": "clinic",
    "银行网点": "bank",
    "银行": "bank",
    "宾馆酒店": "hotel",
    "宾馆": "hotel",
    "酒店": "hotel",
    "网吧": "internet_cafe",
    "学校": "school",
    "企业": "company",
    "公司": "company",
    "办证窗口": "service_window",
    "其他点位": "other",
    "其他": "other",
    "其它": "other",
}
DATUM_ALIASES = {
    "": "wgs84",
    "wgs84": "wgs84",
    "gps": "wgs84",
    "gcj02": "gcj02",
    "gcj": "gcj02",
    "火星坐标": "gcj02",
    "火星坐标系": "gcj02",
    "高德": "gcj02",
    "腾讯": "gcj02",
    "国测局坐标": "gcj02",
    "bd09": "bd09",
    "bd": "bd09",
    "百度": "bd09",
    "百度坐标": "bd09",
}
LOOKUP_CHUNK = 500


def _key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def parse_kind(text: str) -> str | None:
    word = unicodedata.normalize("NFKC", text).strip()
    kind = KIND_ALIASES.get(word, word.lower().replace(" ", "_").replace("-", "_"))
    return kind if kind in SITE_KINDS else None


def parse_datum(text: str) -> str | None:
    word = "".join(unicodedata.normalize("NFKC", text).lower().split())
    word = word.replace("-", "").replace("_", "")
    return DATUM_ALIASES.get(word)


def _number(text: str) -> float | None:
    try:
        value = float(unicodedata.normalize("NFKC", text)[:40])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class SiteRow:
    number: int
    grid_id: int
    name: str
    kind: str
    lat: float
    lng: float
    radius_m: int | None
    address: str | None
    site_id: int | None = None


def _text(values: dict[str, str], column: str, limit: int, errors: list[RowMessage]) -> str:
    text = values.get(column, "")
    if text_problem(text):
        errors.append(
            row_message("%(column)s holds characters that cannot be stored", column=column)
        )
    elif len(text) > limit:
        errors.append(
            row_message("%(column)s longer than %(max)s characters", column=column, max=limit)
        )
    return text


def _position(values: dict[str, str], errors: list[RowMessage]) -> tuple[float, float] | None:
    lat, lng = _number(values["lat"]), _number(values["lng"])
    datum = parse_datum(values.get("coord_system", ""))
    if lat is None or not -90 <= lat <= 90:
        errors.append(row_message("bad latitude %(value)s", value=repr(values["lat"])))
    if lng is None or not -180 <= lng <= 180:
        errors.append(row_message("bad longitude %(value)s", value=repr(values["lng"])))
    if datum is None:
        errors.append(
            row_message(
                "unknown coordinate system %(value)s (use wgs84, gcj02 or bd09)",
                value=repr(values.get("coord_system", "")),
            )
        )
    if lat is None or lng is None or datum is None or errors:
        return None
    return geo.to_wgs84(lat, lng, datum)


def _radius(text: str, errors: list[RowMessage]) -> int | None:
    if not text:
        return None
    value = _number(text)
    low, high = RADIUS_RANGE
    if value is None or not value.is_integer() or not low <= value <= high:
        errors.append(
            row_message(
                "bad radius %(value)s (whole metres from %(min)s to %(max)s)",
                value=repr(text),
                min=low,
                max=high,
            )
        )
        return None
    return int(value)


def _check_row(
    number: int,
    values: dict[str, str],
    grids: GridIndex,
    seen: dict[tuple[int, str], int],
    report: ImportReport,
) -> SiteRow | None:
    """One row as a SiteRow, or None after reporting everything wrong with it."""
    errors: list[RowMessage] = []
    grid_id, grid_error = grids.resolve(values["grid"])
    if grid_error:
        errors.append(grid_error)
    name = _text(values, "name", NAME_MAX, errors)
    if not name:
        errors.append(row_message("empty name"))
    elif name.startswith(FORMULA_STARTS):
        errors.append(row_message("bad name %(name)s: it reads as a formula", name=repr(name)))
    kind = parse_kind(values["kind"])
    if kind is None:
        errors.append(
            row_message(
                "unknown kind %(kind)s (use %(known)s)",
                kind=repr(values["kind"]),
                known=", ".join(SITE_KINDS),
            )
        )
    address = _text(values, "address", ADDRESS_MAX, errors) or None
    radius = _radius(values.get("radius_m", ""), errors)
    position = _position(values, errors)
    key = (grid_id, _key(name)) if grid_id is not None and name else None
    if key is not None and key in seen:
        errors.append(
            row_message(
                "duplicate name %(name)s in this grid (also row %(row)s)",
                name=repr(name),
                row=seen[key],
            )
        )
    for message in errors:
        report.error(number, message)
    if errors or key is None or position is None or kind is None:
        return None
    seen[key] = number
    return SiteRow(number, grid_id, name, kind, *position, radius, address)


def _match_existing(rows: list[SiteRow], report: ImportReport) -> dict[int, Site]:
    """Point each row at the site of its grid with its name; the matched sites by id."""
    by_key: dict[tuple[int, str], list[Site]] = defaultdict(list)
    for chunk in chunked(sorted({row.grid_id for row in rows}), LOOKUP_CHUNK):
        for site in db.session.scalars(select(Site).where(Site.area_id.in_(chunk))):
            by_key[site.area_id, _key(site.name)].append(site)
    matched: dict[int, Site] = {}
    for row in rows:
        sites = by_key.get((row.grid_id, _key(row.name)), [])
        if len(sites) > 1:
            report.error(
                row.number,
                row_message(
                    "several sites of this grid are named %(name)s: change them one by one",
                    name=repr(row.name),
                ),
            )
        elif sites:
            row.site_id = sites[0].id
            matched[sites[0].id] = sites[0]
    return matched


def _insert(rows: list[SiteRow]) -> int:
    now = utcnow()
    values = [
        {
            "area_id": row.grid_id,
            "name": row.name,
            "kind": row.kind,
            "lat": row.lat,
            "lng": row.lng,
            "radius_m": row.radius_m or 100,
            "address": row.address or "",
            "active": True,
            "qr_version": 1,
            "visits_per_month": 1,
            "created_at": now,
        }
        for row in rows
    ]
    created = bulk_insert(Site.__table__, values)
    count_sites(db.session.connection(), values)  # a bulk insert: no per-row events
    return created


def _update(rows: list[SiteRow], sites: dict[int, Site]) -> tuple[int, set[int]]:
    """Change the matched sites (only those a row changes); the grids whose kinds changed."""
    values, regrid = [], set()
    for row in rows:
        site = sites[row.site_id]
        fresh = {"name": row.name, "kind": row.kind, "lat": row.lat, "lng": row.lng}
        if row.radius_m is not None:
            fresh["radius_m"] = row.radius_m
        if row.address is not None:
            fresh["address"] = row.address
        if fresh != {key: getattr(site, key) for key in fresh}:
            values.append({"id": site.id, **fresh})
            if site.kind != row.kind:
                regrid.add(site.area_id)
    check_rows(Site.__table__, values)
    by_keys: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for value in values:  # a bulk update by primary key wants the same keys in each batch
        by_keys[tuple(value)].append(value)
    for batch in by_keys.values():
        for chunk in chunked(batch, 5000):
            db.session.execute(update(Site), list(chunk))
    return len(rows), regrid


def _write(rows: list[SiteRow], sites: dict[int, Site]) -> tuple[int, int]:
    new = [row for row in rows if row.site_id is None]
    changed = [row for row in rows if row.site_id is not None]
    try:
        with db.session.begin_nested():
            updated, regrid = _update(changed, sites) if changed else (0, set())
            created = _insert(new) if new else 0
    except IntegrityError:
        raise Conflict(
            _l("sites changed during the import: try again"), {"file": _l("try again")}
        ) from None
    for site in sites.values():
        db.session.expire(site)
    if regrid:  # their check-ins now count for other kinds' tasks
        task_progress.settle_tasks(
            task_progress.tasks_counting(None, regrid, task_progress.SITE_KINDS)
        )
    return created, updated


def import_sites(
    actor: User, data: bytes, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Check every row of a sites sheet; create and update all of them, or none when any is wrong."""
    require(actor, "import", "site")
    report = ImportReport(updated=0)
    grids = GridIndex(actor)
    seen: dict[tuple[int, str], int] = {}
    rows = [
        row
        for number, values in read_rows(data, COLUMNS, report, REQUIRED, progress)
        if (row := _check_row(number, values, grids, seen, report))
    ]
    sites = _match_existing(rows, report) if rows else {}
    if report.ok and rows:
        report.created, report.updated = _write(rows, sites)
        record_event(
            actor,
            "site.import",
            None,
            created=report.created,
            updated=report.updated,
            grids=len({row.grid_id for row in rows}),
        )
    return report
