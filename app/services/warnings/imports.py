"""Importing the bureau's warning list from CSV or XLSX, all or nothing.

Columns (English or Chinese headers): `level` (high/medium/low or 高/中/低), `grid` (a grid's id,
code or name), `subject_label`, `phone`. Row 1 is the header; row numbers in the report are
the spreadsheet's. Grids outside the importer's area read as unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.models import Area, User
from app.models.base import utcnow
from app.models.warning import WARNING_LEVELS
from app.policy import require
from app.services.access import filter_by_scope
from app.services.audit import record_event
from app.services.importing import ImportReport, RowMessage, chunked, read_rows, row_message
from app.services.notifications import events
from app.services.warnings.handling import build_warning, normalize_phone

COLUMNS = {
    "level": ("等级", "级别", "预警等级", "预警级别"),
    "grid": ("网格", "grid_id", "area_id", "网格编号"),
    "subject_label": ("对象", "人员", "劝阻对象", "subject", "label", "标识"),
    "phone": ("电话", "手机", "手机号", "联系电话", "号码"),
}
REQUIRED = ("level", "grid", "subject_label")
LEVEL_WORDS = {
    "高": "high",
    "中": "medium",
    "低": "low",
    "高风险": "high",
    "中风险": "medium",
    "低风险": "low",
}
MAX_LABEL = 80


class GridLookup:
    """The grids the importer may use, found by id, code or (unique) name."""

    def __init__(self, actor: User):
        grids = db.session.scalars(
            filter_by_scope(select(Area).where(Area.level == "grid"), actor, Area.id)
        ).all()
        self.by_key: dict[str, Area | None] = {}
        for grid in grids:
            self.by_key[str(grid.id)] = grid
            if grid.code:
                self.by_key[grid.code.lower()] = grid
        for grid in grids:
            name = grid.name.lower()
            self.by_key[name] = (
                None if name in self.by_key and self.by_key[name] is not grid else grid
            )

    def find(self, text: str) -> tuple[Area | None, RowMessage | None]:
        key = text.strip().lower()
        if key not in self.by_key:
            return None, row_message("unknown grid: %(grid)s", grid=text)
        if self.by_key[key] is None:
            return None, row_message(
                "grid name %(grid)s is used more than once: give its id or code", grid=text
            )
        return self.by_key[key], None


def _check_row(values: dict[str, str], grids: GridLookup) -> tuple[dict | None, RowMessage | None]:
    level = LEVEL_WORDS.get(values["level"].strip(), values["level"].strip().lower())
    if level not in WARNING_LEVELS:
        if not values["level"]:
            return None, row_message("level must be high, medium or low, not empty")
        return None, row_message(
            "level must be high, medium or low, not %(level)s", level=values["level"]
        )
    grid, problem = grids.find(values["grid"])
    if problem:
        return None, problem
    label = values["subject_label"].strip()
    if not label or len(label) > MAX_LABEL:
        return None, row_message("subject_label must be 1 to %(max)s characters", max=MAX_LABEL)
    try:
        phone = normalize_phone(values.get("phone"))
    except DomainError:
        return None, row_message("phone must be digits")
    return {"level": level, "grid": grid, "subject_label": label, "phone": phone}, None


def import_warnings(
    actor: User,
    data: bytes,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Check every row; create all warnings when no row is wrong, none otherwise."""
    require(actor, "import", "warning")
    report = ImportReport()
    grids = GridLookup(actor)
    rows = []
    for number, values in read_rows(data, COLUMNS, report, REQUIRED, progress):
        row, problem = _check_row(values, grids)
        if problem:
            report.error(number, problem)
        else:
            rows.append(row)
    if report.ok and not rows:
        report.error(2, row_message("the file has no warnings"))
    if not report.ok:
        return report
    now = now or utcnow()
    for batch in chunked(rows, 1000):
        warnings = [build_warning(actor, row["grid"], row, now) for row in batch]
        db.session.add_all(warnings)
        db.session.flush()
        events.warnings_created(warnings, now)
    report.created = len(rows)
    record_event(actor, "warning.import", None, created=len(rows))
    return report
