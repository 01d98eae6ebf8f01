"""The daily report (反诈日报): one row per street for a local day, as JSON, CSV, XLSX or chat text.

Per street (for a user confined below the district: their own area only) on the day:
cases and their losses (occurred that day); warnings issued (created that day), handled in time
(handled that day, at or before their deadline) and dissuaded (handled that day with result
`dissuaded`); lectures held and their audience (受教人次), stalls run and screenings held (the
reported activities that took place that day, by the area they count for); accepted check-ins, visits, households reached and app installs (coverage's
definitions); and site and household coverage from the first of the month to the day.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, FraudCase, User
from app.services import activities, awareness, case_compare, coverage, must_check_figures
from app.services.localtime import day_bounds, today
from app.services.warnings import figures as warning_figures

COLUMNS = (
    ("area_id", _l("Area id"), "int"),
    ("name", _l("Street"), "text"),
    ("cases", _l("Cases"), "int"),
    ("losses", _l("Losses (yuan)"), "money"),
    ("warnings_issued", _l("Warnings issued"), "int"),
    ("warnings_high", _l("High warnings"), "int"),
    ("warnings_medium", _l("Medium warnings"), "int"),
    ("warnings_low", _l("Low warnings"), "int"),
    ("warnings_handled_in_time", _l("Handled in time"), "int"),
    ("warnings_dissuaded", _l("Dissuaded"), "int"),
    ("warnings_phone_dissuaded", _l("Dissuaded by phone"), "int"),
    ("stopped_amount", _l("Stopped or recovered (yuan)"), "money"),
    ("checkins", _l("Check-ins"), "int"),
    ("visits", _l("Visits"), "int"),
    ("households_reached", _l("Households reached"), "int"),
    ("app_installs", _l("App installs"), "int"),
    ("lectures", _l("Lectures held"), "int"),
    ("lecture_audience", _l("Lecture audience"), "int"),
    ("stalls", _l("Stalls run"), "int"),
    ("screenings", _l("Screenings held"), "int"),
    ("site_coverage_month", _l("Site coverage this month"), "rate"),
    ("household_coverage_month", _l("Household coverage this month"), "rate"),
    ("awareness_responses_month", _l("Quiz answers this month"), "int"),
    ("awareness_rate_month", _l("Awareness rate this month"), "rate"),
    ("open_checks", _l("Open must-checks"), "int"),
)
COUNTS = tuple(
    key for key, _label, kind in COLUMNS if kind in ("int", "money") and key != "area_id"
)
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def daily(actor: User, day: date | None) -> dict:
    """The report of a local day for the actor's area."""
    scope = coverage.resolve_area(actor, None)
    day = day or today()
    areas = coverage.children_of(None) if scope is None else [scope]
    on_day = _by_area(coverage.compute(scope, coverage.Period(day, day)), scope)
    month_figures = coverage.compute(scope, coverage.Period(day.replace(day=1), day))
    month = _by_area(month_figures, scope)
    month_awareness = awareness.compute(scope, coverage.Period(day.replace(day=1), day))
    aware = _by_area(month_awareness, scope)
    cases, warnings = _cases(areas, day), warning_figures.per_report_area(areas, day)
    held = activities.per_area(areas, *day_bounds(day))
    rows = []
    for area in areas:
        row = {
            "area_id": area.id,
            "name": area.name,
            "cases": 0,
            "losses": 0.0,
            **warning_figures.empty(),
        }
        row.update(cases.get(area.id, {}))
        row.update(held.get(area.id, activities.empty()))
        row.update(warnings.get(area.id, {}))
        row.update(
            {
                key: on_day[area.id][key]
                for key in ("checkins", "visits", "households_reached", "app_installs")
            }
        )
        row["site_coverage_month"] = month[area.id]["site_coverage"]
        row["household_coverage_month"] = month[area.id]["household_coverage"]
        row["awareness_responses_month"] = aware[area.id]["responses"]
        row["awareness_rate_month"] = aware[area.id]["awareness_rate"]
        row["open_checks"] = must_check_figures.count_open(area)
        rows.append(row)
    totals = {key: sum(row[key] for row in rows) for key in COUNTS}
    totals.update(warning_figures.add_up(rows))
    totals.update(
        area_id=scope.id if scope else None,
        name=scope.name if scope else None,
        losses=round(totals["losses"], 2),
        site_coverage_month=month_figures["site_coverage"],
        household_coverage_month=month_figures["household_coverage"],
        awareness_responses_month=month_awareness["responses"],
        awareness_rate_month=month_awareness["awareness_rate"],
    )
    return {
        "date": day.isoformat(),
        "area_id": scope.id if scope else None,
        "rows": rows,
        "totals": totals,
        "compare": case_compare.compare(scope, coverage.Period(day, day)),
    }


def _by_area(figures: dict, scope: Area | None) -> dict[int, dict]:
    """Coverage entries by area id: the streets for the district, else the area itself."""
    return {row["area_id"]: row for row in (figures["children"] if scope is None else [figures])}


def _cases(areas: list[Area], day: date) -> dict[int, dict]:
    """Cases and losses that day per report area: one grouped query."""
    bucket = coverage.bucket_of(Area.path, areas).label("bucket")
    rows = db.session.execute(
        select(bucket, func.count(FraudCase.id), func.coalesce(func.sum(FraudCase.loss_amount), 0))
        .join(Area, Area.id == FraudCase.area_id)
        .where(FraudCase.occurred_on == day)
        .group_by("bucket")
    ).all()
    return {
        b: {"cases": int(n), "losses": float(round(Decimal(loss), 2))}
        for b, n, loss in rows
        if b is not None
    }


def safe_text(value: str) -> str:
    """Text a spreadsheet will not run: a leading = + - @ gets a quote in front (CSV)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _table(report: dict) -> list[list]:
    """The rows, and a totals row under several streets."""
    rows = report["rows"]
    if len(rows) > 1:
        rows = [*rows, {**report["totals"], "name": report["totals"]["name"] or str(_l("Total"))}]
    return [[row.get(key) for key, _label, _kind in COLUMNS] for row in rows]


def as_csv(report: dict) -> bytes:
    """UTF-8 with a BOM, so that Excel shows the Chinese; formula-like text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(label) for _key, label, _kind in COLUMNS])
    for values in _table(report):
        writer.writerow(
            [safe_text(v) if isinstance(v, str) else ("" if v is None else v) for v in values]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def as_xlsx(report: dict) -> bytes:
    """A workbook: rates as percentages, money with two decimals, text always text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = report["date"]
    sheet.append([str(label) for _key, label, _kind in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formats = {"rate": "0.0%", "money": "#,##0.00", "int": "0"}
    for values in _table(report):
        sheet.append([None] * len(COLUMNS))
        for column, ((_key, _label, kind), value) in enumerate(zip(COLUMNS, values), start=1):
            cell = sheet.cell(row=sheet.max_row, column=column)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
                cell.quotePrefix = value.startswith(FORMULA_STARTS)
            else:
                cell.value = value
                cell.number_format = formats.get(kind, "General")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


RANKING = (
    ("area_id", _l("Area id")),
    ("name", _l("Area")),
    ("site_coverage", _l("Site coverage")),
    ("site_change", _l("Change")),
    ("household_coverage", _l("Household coverage")),
    ("household_change", _l("Change")),
    ("checkins", _l("Check-ins")),
    ("visits", _l("Visits")),
    ("overdue_tasks", _l("Overdue tasks")),
    ("cases", _l("Cases")),
    ("card", _l("Card")),
    ("rank", _l("Rank")),
)


def ranking_csv(rows: list[dict]) -> bytes:
    """The dashboard's ranking as CSV: UTF-8 with a BOM, rates as fractions, formula-like text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(label) for _key, label in RANKING])
    for row in rows:
        values = [row.get(key) for key, _label in RANKING]
        writer.writerow(
            [safe_text(v) if isinstance(v, str) else ("" if v is None else v) for v in values]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
