"""Importing households from CSV or XLSX: every row checked first, then one bulk insert, or nothing."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db
from app.models import HOUSEHOLD_TAGS, Area, Household, User
from app.models.base import utcnow
from app.models.household import count_households
from app.policy import require
from app.services.access import scope_area
from app.services.audit import record_event
from app.services.households import LABEL_MAX, normalize_label
from app.services.importing import (
    ImportReport,
    RowMessage,
    bulk_insert,
    chunked,
    read_rows,
    row_message,
)

COLUMNS = {
    "grid": (
        "网格",
        "网格编码",
        "网格编号",
        "网格名称",
        "所属网格",
        "grid_id",
        "grid code",
        "grid name",
    ),
    "label": ("地址", "门牌", "门牌号", "住址", "address", "household"),
    "tags": ("标签", "重点人群", "人群", "tag"),
}
REQUIRED = ("grid", "label")
TAG_SEPARATORS = re.compile(r"[;；,，、|\s]+")
# What a Chinese spreadsheet is likely to say, besides the English tags themselves.
TAG_ALIASES = {
    "老人": "elderly",
    "老年人": "elderly",
    "独居老人": "elderly",
    "流动人口": "floating",
    "流动": "floating",
    "新市民": "floating",
    "学生": "student",
    "企业": "enterprise",
    "企业员工": "enterprise",
    "金融": "finance",
    "金融从业人员": "finance",
    "家长": "parent",
    "其他": "other",
    "其它": "other",
}
LOOKUP_CHUNK = 500


def _key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


class GridIndex:
    """Every grid by id, code and name, and which of them the actor may use: one query."""

    def __init__(self, actor: User):
        scope = scope_area(actor)
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.in_scope: set[int] = set()
        for grid_id, code, name, path in db.session.execute(
            select(Area.id, Area.code, Area.name, Area.path).where(Area.level == "grid")
        ):
            for key in {str(grid_id), _key(code or ""), _key(name)} - {""}:
                self.by_key[key].add(grid_id)
            if scope is None or path.startswith(scope.path):
                self.in_scope.add(grid_id)
        self._answers: dict[str, tuple[int | None, RowMessage | None]] = {}

    def resolve(self, value: str) -> tuple[int | None, RowMessage | None]:
        """(grid id, None) or (None, why not) for a cell naming a grid by id, code or name."""
        if value not in self._answers:
            self._answers[value] = self._resolve(value)
        return self._answers[value]

    def _resolve(self, value: str) -> tuple[int | None, RowMessage | None]:
        if not value:
            return None, row_message("empty grid")
        candidates = self.by_key.get(_key(value), set())
        usable = candidates & self.in_scope
        if len(usable) == 1:
            return next(iter(usable)), None
        if usable:
            return None, row_message(
                "grid %(grid)s is ambiguous: use its id or code", grid=repr(value)
            )
        # Another street's grid reads as unknown: an import must not tell what exists outside one's area.
        return None, row_message("unknown grid %(grid)s", grid=repr(value))


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """(known tags, unknown words) from a cell like "elderly; student" or "老人、学生"."""
    tags, unknown = set(), []
    for word in TAG_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        if not word:
            continue
        tag = TAG_ALIASES.get(word, word.lower())
        if tag in HOUSEHOLD_TAGS:
            tags.add(tag)
        else:
            unknown.append(word)
    return sorted(tags), unknown


def _check_row(
    number: int,
    values: dict[str, str],
    grids: GridIndex,
    seen: dict[tuple[int, str], int],
    report: ImportReport,
):
    """One row as (number, grid id, label, tags), or None after reporting what is wrong."""
    grid_id, grid_error = grids.resolve(values["grid"])
    label = normalize_label(values["label"])
    tags, unknown = parse_tags(values.get("tags", ""))
    errors = [grid_error] if grid_error else []
    if not label:
        errors.append(row_message("empty label"))
    elif len(label) > LABEL_MAX:
        errors.append(row_message("label longer than %(max)s characters", max=LABEL_MAX))
    if unknown:
        errors.append(
            row_message(
                "unknown tag %(tags)s (use %(known)s)",
                tags=", ".join(unknown),
                known=", ".join(HOUSEHOLD_TAGS),
            )
        )
    if grid_id is not None and label and (grid_id, label) in seen:
        errors.append(
            row_message(
                "duplicate label %(label)s in this grid (also row %(row)s)",
                label=repr(label),
                row=seen[grid_id, label],
            )
        )
    for message in errors:
        report.error(number, message)
    if errors:
        return None
    seen[grid_id, label] = number
    return number, grid_id, label, tags


def _report_existing(rows: list[tuple], report: ImportReport) -> None:
    """Rows whose label already exists in their grid: one query per few hundred grids."""
    grid_ids = sorted({row[1] for row in rows})
    existing: set[tuple[int, str]] = set()
    for chunk in chunked(grid_ids, LOOKUP_CHUNK):
        result = db.session.execute(
            select(Household.area_id, Household.label).where(Household.area_id.in_(chunk))
        )
        existing.update((grid_id, label) for grid_id, label in result)
    for number, grid_id, label, _tags in rows:
        if (grid_id, label) in existing:
            report.error(
                number,
                row_message("label %(label)s already exists in this grid", label=repr(label)),
            )


def _insert(rows: list[tuple]) -> int:
    now = utcnow()
    values = [
        {"area_id": grid_id, "label": label, "tags": tags, "unreachable": False, "created_at": now}
        for _number, grid_id, label, tags in rows
    ]
    try:
        with db.session.begin_nested():
            created = bulk_insert(Household.__table__, values)
            count_households(db.session.connection(), [(v["area_id"], False) for v in values])
            return created
    except IntegrityError:
        raise Conflict(
            "households changed during the import: try again",
            {"file": "a label was added meanwhile"},
        ) from None


def import_households(
    actor: User, data: bytes, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Check every row of a CSV or XLSX file; insert all of them, or none when any is wrong."""
    require(actor, "import", "household")
    report = ImportReport()
    grids = GridIndex(actor)
    seen: dict[tuple[int, str], int] = {}
    rows = [
        row
        for number, values in read_rows(data, COLUMNS, report, REQUIRED, progress)
        if (row := _check_row(number, values, grids, seen, report))
    ]
    if rows:
        _report_existing(rows, report)
    if report.ok and rows:
        report.created = _insert(rows)
        record_event(
            actor,
            "household.import",
            None,
            created=report.created,
            grids=len({row[1] for row in rows}),
        )
    return report
