"""The ledgers (台账) an office keeps: check-ins, visits, activity reports, warnings and cases
of an area for a period of local days, as one XLSX workbook (a sheet each, Chinese headers).

Built to stay small in memory whatever the period: every query is read in chunks
(`yield_per`), the workbook is openpyxl's write-only kind (rows go to disk as they come, strings
inline, no shared-strings table) and is written to a temporary file the response then streams.
Text is always text: a cell starting like a formula is stored as a string with a quote prefix,
as in the daily report's sheet. Residents' phone numbers leave masked, as the API masks them."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from app.errors import Invalid
from app.extensions import db
from app.labels import label
from app.models import Area, CheckIn, FraudCase, Household, RiskWarning, Site, Task, User, Visit
from app.models.task import TaskReport
from app.policy import require
from app.schemas.ledger import LEDGER_SHEETS, MAX_DAYS
from app.services.access import require_area_in_scope, scope_area, subtree_clause
from app.services.audit import record_event
from app.services.localtime import start_of_day, to_local, today
from app.services.reports import FORMULA_STARTS
from app.services.warnings.handling import mask_phone

CHUNK = 1000  # rows fetched at a time
TIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Ledger:
    area: Area | None  # None: the whole district
    first: date
    last: date
    sheets: tuple[str, ...]

    @property
    def filename(self) -> str:
        sheet = self.sheets[0] if len(self.sheets) == 1 else "all"
        where = self.area.id if self.area is not None else "district"
        return f"ledger-{where}-{self.first}-{self.last}-{sheet}.xlsx"


def open_ledger(actor: User, args: dict) -> Ledger:
    """The ledger the caller asked for, inside their area: `area_id` (default their own area),
    `from_` (default the 1st of this month), `to` (default today), `sheet` (default all)."""
    require(actor, "read", "ledger")
    area = (
        require_area_in_scope(actor, args["area_id"])
        if args.get("area_id") is not None
        else scope_area(actor)
    )
    last = args.get("to") or today()
    first = args.get("from_") or last.replace(day=1)
    if last < first:
        raise Invalid(_l("check the marked fields"), {"to": [_l("must not come before from")]})
    if (last - first).days >= MAX_DAYS:
        raise Invalid(_l("check the marked fields"), {"to": [_l("at most 366 days")]})
    sheets = (args["sheet"],) if args.get("sheet") else LEDGER_SHEETS
    return Ledger(area, first, last, sheets)


def write_xlsx(actor: User, ledger: Ledger) -> IO[bytes]:
    """The workbook in a temporary file, positioned at its start (the caller closes it)."""
    from openpyxl import Workbook

    record_event(
        actor,
        "ledger.export",
        ledger.area,
        sheets=list(ledger.sheets),
        first=ledger.first.isoformat(),
        last=ledger.last.isoformat(),
    )
    book = Workbook(write_only=True)
    for name in ledger.sheets:
        title, columns, rows = SHEETS[name]
        sheet = book.create_sheet(str(title))
        sheet.append([str(heading) for heading in columns])
        for values in rows(ledger):
            sheet.append([_cell(sheet, value) for value in values])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    try:
        book.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _cell(sheet, value: Any):
    """A write-only cell: text never a formula, local times as dates, money as numbers."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, to_local(value).replace(tzinfo=None))
        cell.number_format = TIME_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, float(value))
        cell.number_format = "#,##0.00"
        return cell
    return value


def _read(ledger: Ledger, stmt: Select, moment, by_day: bool = False) -> Iterator[tuple]:
    """Rows of `stmt` (joined to the record's Area) inside the ledger's area and period,
    fetched CHUNK at a time; `moment` a timestamp, or with `by_day` a calendar day."""
    if ledger.area is not None:
        stmt = stmt.where(subtree_clause(Area.path, ledger.area.path))
    if by_day:
        stmt = stmt.where(moment >= ledger.first, moment <= ledger.last)
    else:
        end = start_of_day(ledger.last + timedelta(days=1))
        stmt = stmt.where(moment >= start_of_day(ledger.first), moment < end)
    yield from db.session.execute(stmt.execution_options(yield_per=CHUNK))


def _name(user) -> Any:
    """A person's display name, or their username when they have none."""
    return func.coalesce(func.nullif(user.display_name, ""), user.username)


def _checkins(ledger: Ledger) -> Iterator[list]:
    stmt = (
        select(
            CheckIn.captured_at,
            Area.name,
            Site.name,
            _name(User),
            CheckIn.status,
            CheckIn.distance_m,
            CheckIn.people_reached,
            CheckIn.materials_count,
            CheckIn.reason,
            CheckIn.note,
        )
        .join(Site, CheckIn.site_id == Site.id)
        .join(Area, Site.area_id == Area.id)
        .join(User, CheckIn.user_id == User.id)
        .order_by(CheckIn.captured_at, CheckIn.id)
    )
    for at, area, site, person, status, distance, people, materials, reason, note in _read(
        ledger, stmt, CheckIn.captured_at
    ):
        reasons = "、".join(label(r, "checkin_reason") for r in (reason or "").split(",") if r)
        yield [
            at,
            area,
            site,
            person,
            str(CHECKIN_STATUS.get(status, status)),
            round(distance),
            people,
            materials,
            reasons,
            note or "",
        ]


def _visits(ledger: Ledger) -> Iterator[list]:
    stmt = (
        select(
            Visit.captured_at,
            Area.name,
            Household.label,
            _name(User),
            Visit.outcome,
            Visit.app_installed,
            Visit.people_reached,
            Visit.materials_count,
            Visit.note,
        )
        .join(Household, Visit.household_id == Household.id)
        .join(Area, Household.area_id == Area.id)
        .join(User, Visit.user_id == User.id)
        .order_by(Visit.captured_at, Visit.id)
    )
    for at, area, household, person, outcome, app, people, materials, note in _read(
        ledger, stmt, Visit.captured_at
    ):
        yield [
            at,
            area,
            household,
            person,
            label(outcome, "visit_outcome"),
            str(_l("Yes") if app else _l("No")),
            people,
            materials,
            note or "",
        ]


def _task_reports(ledger: Ledger) -> Iterator[list]:
    """Activities by when and where they were held (a lecture at a school counts for the school's
    community, as in the daily report); rows older than those fields by their task's grid."""
    held_at = func.coalesce(TaskReport.held_at, TaskReport.created_at)
    stmt = (
        select(
            held_at,
            Area.name,
            Task.title,
            Task.kind,
            _name(User),
            TaskReport.count,
            TaskReport.audience,
            TaskReport.materials,
            TaskReport.note,
        )
        .join(Task, TaskReport.task_id == Task.id)
        .join(Area, func.coalesce(TaskReport.area_id, Task.area_id) == Area.id)
        .join(User, TaskReport.user_id == User.id)
        .order_by(held_at, TaskReport.id)
    )
    for at, area, title, kind, person, count, audience, materials, note in _read(
        ledger, stmt, held_at
    ):
        row = [at, area, title, label(kind, "task_kind"), person, count, audience, materials]
        yield [*row, note or ""]


def _warnings(ledger: Ledger) -> Iterator[list]:
    handler = aliased(User)
    stmt = (
        select(
            RiskWarning.created_at,
            Area.name,
            RiskWarning.level,
            RiskWarning.subject_label,
            RiskWarning.phone,
            RiskWarning.deadline_at,
            RiskWarning.status,
            RiskWarning.result,
            _name(handler),
            RiskWarning.handled_at,
            RiskWarning.note,
        )
        .join(Area, RiskWarning.area_id == Area.id)
        .outerjoin(handler, RiskWarning.handled_by_id == handler.id)
        .order_by(RiskWarning.created_at, RiskWarning.id)
    )
    for row in _read(ledger, stmt, RiskWarning.created_at):
        at, area, level, subject, phone, deadline, status, result, person, handled, note = row
        on_time = "" if handled is None else str(_l("Yes") if handled <= deadline else _l("No"))
        yield [
            at,
            area,
            label(level, "warning_level"),
            subject,
            mask_phone(phone) or "",
            deadline,
            label(status, "task_status"),
            label(result, "warning_result"),
            person or "",
            handled,
            on_time,
            note or "",
        ]


def _cases(ledger: Ledger) -> Iterator[list]:
    stmt = (
        select(
            FraudCase.occurred_on,
            Area.name,
            FraudCase.fraud_type,
            FraudCase.loss_amount,
            FraudCase.victim_age_band,
            FraudCase.reference,
        )
        .join(Area, FraudCase.area_id == Area.id)
        .order_by(FraudCase.occurred_on, FraudCase.id)
    )
    for day, area, kind, loss, age, reference in _read(
        ledger, stmt, FraudCase.occurred_on, by_day=True
    ):
        yield [
            day.isoformat(),
            area,
            label(kind, "fraud_type"),
            Decimal(loss or 0),
            label(age, "age_band"),
            reference or "",
        ]


CHECKIN_STATUS = {
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "flagged": _l("Flagged for review"),
}

SHEETS: dict[str, tuple[Any, tuple, Callable[[Ledger], Iterator[list]]]] = {
    "checkins": (
        lazy_pgettext("ledger sheet", "Check-ins"),
        (
            _l("Time"),
            _l("Area"),
            _l("Site"),
            _l("Person"),
            _l("Status"),
            _l("Distance (m)"),
            _l("People reached"),
            _l("Materials handed out"),
            _l("Reasons"),
            _l("Note"),
        ),
        _checkins,
    ),
    "visits": (
        lazy_pgettext("ledger sheet", "Visits"),
        (
            _l("Time"),
            _l("Area"),
            _l("Household"),
            _l("Person"),
            _l("Outcome"),
            _l("App installed"),
            _l("People reached"),
            _l("Materials handed out"),
            _l("Note"),
        ),
        _visits,
    ),
    "task_reports": (
        lazy_pgettext("ledger sheet", "Activity reports"),
        (
            _l("Time"),
            _l("Area"),
            _l("Task"),
            _l("Kind"),
            _l("Person"),
            _l("Count"),
            _l("People reached"),
            _l("Materials handed out"),
            _l("Note"),
        ),
        _task_reports,
    ),
    "warnings": (
        lazy_pgettext("ledger sheet", "Warnings"),
        (
            _l("Pushed at"),
            _l("Area"),
            _l("Level"),
            _l("Subject"),
            _l("Phone"),
            _l("Deadline"),
            _l("Status"),
            _l("Result"),
            _l("Handled by"),
            _l("Handled at"),
            _l("On time"),
            _l("Note"),
        ),
        _warnings,
    ),
    "cases": (
        lazy_pgettext("ledger sheet", "Cases"),
        (
            _l("Date"),
            _l("Area"),
            _l("Fraud type"),
            _l("Loss (yuan)"),
            _l("Victim's age"),
            _l("Reference"),
        ),
        _cases,
    ),
}
