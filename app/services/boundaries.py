"""Area boundaries from a GeoJSON FeatureCollection: matched, checked, stored in WGS-84, all or none.

Each feature names its area in `properties`: by `code`, or by `name` with an optional `parent`
(the parent's name or code) where names repeat. Only areas in the caller's subtree can match, so
an area elsewhere reads as unmatched and its existence is not told. Features are numbered from 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app import geo, polygons
from app.errors import Invalid, TooLarge
from app.extensions import db
from app.i18n import N_
from app.models import Area, User
from app.policy import can, require
from app.services.access import filter_by_scope
from app.services.audit import record_event
from app.services.import_limits import ImportLimits

MAX_FEATURES = 20_000
# Converting GCJ-02 or BD-09 takes about 30 µs a position: this keeps a file under half a minute.
MAX_POSITIONS = 500_000
MAX_ERRORS = 1000
ECHO_MAX = 60
# Property names GIS exports use besides the contract's.
NAME_KEYS = ("name", "名称", "NAME", "Name")
CODE_KEYS = ("code", "编码", "CODE", "Code")
PARENT_KEYS = ("parent", "上级", "PARENT", "Parent")


@dataclass
class BoundaryReport:
    """Areas updated, and each unusable feature with its number (from 1) and an English msgid."""

    updated: int = 0
    error_count: int = 0
    _errors: list[tuple[int, str, dict]] = field(default_factory=list)
    matched: list[tuple[int, Area, dict]] = field(default_factory=list)

    def error(self, feature: int, message: str, **params: Any) -> None:
        self.error_count += 1
        if len(self._errors) < MAX_ERRORS:
            shortened = {
                k: v[: ECHO_MAX - 1] + "…" if isinstance(v, str) and len(v) > ECHO_MAX else v
                for k, v in params.items()
            }
            self._errors.append((feature, message, shortened))

    @property
    def ok(self) -> bool:
        return not self.error_count

    def as_dict(self, preview: bool = False) -> dict:
        """The contract's answer, messages in the reader's language; `preview` adds what matched."""
        answer: dict[str, Any] = {
            "updated": self.updated,
            "errors": [
                {"feature": number, "message": gettext(message, **params)}
                for number, message, params in self._errors
            ],
            "error_count": self.error_count,
        }
        if preview:
            answer["preview"] = [
                {
                    "feature": number,
                    "area_id": area.id,
                    "name": area.name,
                    "level": area.level,
                    "boundary": polygons.simplify(geometry, polygons.DISPLAY_TOLERANCE_DEG),
                }
                for number, area, geometry in self.matched
            ]
        return answer


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


def read_collection(data: bytes) -> dict:
    """Bytes of GeoJSON as a FeatureCollection dict: 413 past a size limit, 422 for anything else."""
    limit = ImportLimits.from_config().max_bytes
    if len(data) > limit:
        raise TooLarge(
            _l("the file is larger than %(mb)s MB", mb=limit // (1024 * 1024)),
            {"file": _l("at most %(mb)s MB", mb=limit // (1024 * 1024))},
        )
    try:
        collection = json.loads(
            data.decode("utf-8-sig"), parse_constant=_reject_constant, parse_float=_finite_float
        )
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise Invalid(
            _l("not a GeoJSON file"), {"file": _l("must be GeoJSON (UTF-8 JSON text)")}
        ) from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise Invalid(_l("not a FeatureCollection"), {"type": _l("must be FeatureCollection")})
    features = collection.get("features")
    if not isinstance(features, list):
        raise Invalid(_l("no features"), {"features": _l("must be a list of features")})
    if len(features) > MAX_FEATURES:
        raise TooLarge(
            _l("too many features"), {"features": _l("at most %(n)s features", n=MAX_FEATURES)}
        )
    return collection


def _prop(properties: dict, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**40:
            return str(value)
    return None


class _Areas:
    """The areas the actor may see, by code and by name, with their parents' names and codes."""

    def __init__(self, actor: User):
        parent = aliased(Area)
        query = filter_by_scope(
            select(Area, parent.name, parent.code).outerjoin(parent, parent.id == Area.parent_id),
            actor,
            Area.id,
        )
        self.by_id: dict[str, Area] = {}
        self.by_code: dict[str, Area] = {}
        self.by_name: dict[str, list[tuple[Area, str | None, str | None]]] = {}
        for area, parent_name, parent_code in db.session.execute(query):
            self.by_id[str(area.id)] = area
            if area.code:
                self.by_code[area.code] = area
            self.by_name.setdefault(area.name, []).append((area, parent_name, parent_code))

    def find(self, report: BoundaryReport, number: int, properties: dict) -> Area | None:
        area_id = _prop(properties, ("area_id",))  # what the map's drawing tool sends
        if area_id is not None:
            area = self.by_id.get(area_id)
            if area is None:
                report.error(number, N_("no area with id %(id)s in your area"), id=area_id)
            return area
        code = _prop(properties, CODE_KEYS)
        if code is not None:
            area = self.by_code.get(code)
            if area is None:
                report.error(number, N_("no area with code %(code)s in your area"), code=code)
            return area
        name = _prop(properties, NAME_KEYS)
        if name is None:
            report.error(number, N_("its properties name no area: give `code`, or `name`"))
            return None
        parent = _prop(properties, PARENT_KEYS)
        found = [
            area
            for area, parent_name, parent_code in self.by_name.get(name, [])
            if parent is None or parent in (parent_name, parent_code)
        ]
        if not found:
            message = (
                N_("no area named %(name)s under %(parent)s in your area")
                if parent
                else N_("no area named %(name)s in your area")
            )
            report.error(number, message, name=name, parent=parent)
            return None
        if len(found) > 1:
            report.error(
                number,
                N_("%(n)s areas are named %(name)s: add `parent` or `code`"),
                n=len(found),
                name=name,
            )
            return None
        return found[0]


def _feature_geometry(report: BoundaryReport, number: int, feature: object) -> dict | None:
    """The feature's geometry if it is a usable boundary, else None with the problem reported."""
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    problem = polygons.geometry_problem(geometry)
    if problem:
        report.error(number, problem[0], **problem[1])
        return None
    return geometry


def plan_boundaries(actor: User, collection: dict, coord_system: str) -> BoundaryReport:
    """Match and check every feature, writing nothing; `matched` holds (number, area, WGS-84 geometry)."""
    require(actor, "import", "boundary")
    if coord_system not in geo.COORD_SYSTEMS:
        raise Invalid(_l("unknown coordinate system"), {"coord_system": _l("unknown")})
    features = collection["features"]
    # Counted before any ring is checked: a huge file is refused at once.
    total = sum(polygons.rough_count(f.get("geometry")) for f in features if isinstance(f, dict))
    if total > MAX_POSITIONS:
        raise TooLarge(
            _l("too many positions"), {"features": _l("at most %(n)s positions", n=MAX_POSITIONS)}
        )
    report, areas, seen = BoundaryReport(), _Areas(actor), {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.error(number, N_("not a GeoJSON Feature"))
            continue
        properties = feature.get("properties")
        area = areas.find(report, number, properties if isinstance(properties, dict) else {})
        geometry = _feature_geometry(report, number, feature)
        if area is None or geometry is None:
            continue
        if not can(actor, "update", "area", area):
            report.error(number, N_("you may not change %(name)s"), name=area.name)
        elif area.id in seen:
            report.error(number, N_("the same area as feature %(other)s"), other=seen[area.id])
        else:
            seen[area.id] = number
            report.matched.append((number, area, polygons.to_wgs84(geometry, coord_system)))
    return report


def import_boundaries(
    actor: User, collection: dict, coord_system: str = "wgs84", dry_run: bool = False
) -> BoundaryReport:
    """Store every matched feature's boundary in WGS-84 when no feature is wrong; else nothing."""
    report = plan_boundaries(actor, collection, coord_system)
    if not report.ok or dry_run:
        return report
    for number, area, geometry in report.matched:
        area.boundary = geometry
        record_event(actor, "area.boundary", area, feature=number, coord_system=coord_system)
    report.updated = len(report.matched)
    db.session.flush()
    return report
