"""Importing fraud cases from CSV or XLSX: every row checked first, then one insert, or nothing.

Reuses the shared reader in app.services.importing (headers in English or Chinese)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db
from app.models import FRAUD_TYPES, Area, FraudCase, Household, User
from app.models.base import utcnow
from app.models.case import AGE_BANDS
from app.policy import require
from app.services import must_checks, return_visits
from app.services.access import scope_area
from app.services.audit import record_event
from app.services.cases import EARLIEST, MAX_LOSS, check_occurred_on
from app.services.importing import ImportReport, RowMessage, chunked, read_rows, row_message
from app.services.localtime import today
from app.services.must_checks import normalize_address

COLUMNS = {
    "community": (
        "社区",
        "社区名称",
        "所属社区",
        "发案社区",
        "村",
        "community_id",
        "area_id",
        "area",
    ),
    "occurred_on": ("发案日期", "案发日期", "日期", "date"),
    "fraud_type": ("诈骗类型", "案件类型", "类型", "type"),
    "loss_amount": ("损失金额", "损失金额(元)", "损失", "金额", "loss"),
    "victim_age_band": ("年龄段", "受害人年龄段", "年龄", "age_band", "age"),
    "household": ("住户", "户", "地址", "household_id"),
    "reference": ("案件编号", "警情编号", "编号", "case_number"),
    "place": ("发案部位", "发案地点", "部位", "place", "address"),
}
REQUIRED = ("community", "occurred_on", "fraud_type", "loss_amount")
TYPE_ALIASES = {
    "信贷理财": "loan_investment",
    "贷款": "loan_investment",
    "投资理财": "loan_investment",
    "虚假投资理财": "loan_investment",
    "虚假贷款": "loan_investment",
    "刷单": "order_brushing",
    "刷单返利": "order_brushing",
    "冒充客服": "fake_customer_service",
    "冒充电商物流客服": "fake_customer_service",
    "杀猪盘": "pig_butchering",
    "网络交友": "pig_butchering",
    "购物消费": "shopping",
    "网络购物": "shopping",
    "冒充公检法": "impersonating_police",
    "其他": "other",
    "其它": "other",
}
AGE_ALIASES = {
    "18岁以下": "under_18",
    "未成年": "under_18",
    "60岁以上": "over_60",
    "60以上": "over_60",
}
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T ].*)?$")


def _key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def parse_date(text: str) -> date | None:
    """2026-03-05, 2026/3/5, 2026年3月5日, or a spreadsheet date; None when it is none of those."""
    match = DATE_PATTERN.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_loss(text: str) -> Decimal | None:
    """An amount in yuan: "12,000.50", "¥300", "300元"; None when not a non-negative amount in cents."""
    cleaned = (
        unicodedata.normalize("NFKC", text)
        .replace(",", "")
        .replace("¥", "")
        .replace("元", "")
        .strip()
    )
    try:
        amount = Decimal(cleaned or "0")
    except InvalidOperation:
        return None
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= MAX_LOSS
        or amount != amount.quantize(Decimal("0.01"))
    ):
        return None
    return amount.quantize(Decimal("0.01"))


def parse_type(text: str) -> str | None:
    value = unicodedata.normalize("NFKC", text).strip()
    return TYPE_ALIASES.get(value) or (value.lower() if value.lower() in FRAUD_TYPES else None)


def parse_age(text: str) -> tuple[str | None, bool]:
    """(age band or None, valid)."""
    value = unicodedata.normalize("NFKC", text).strip().replace("-", "_").replace("岁", "")
    if not value:
        return None, True
    band = AGE_ALIASES.get(text.strip()) or value.lower()
    return (band, True) if band in AGE_BANDS else (None, False)


class Places:
    """Communities by id, code and name, and the households under them: two queries."""

    def __init__(self, actor: User):
        scope = scope_area(actor)
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.in_scope: dict[int, str] = {}
        for area_id, code, name, path in db.session.execute(
            select(Area.id, Area.code, Area.name, Area.path).where(Area.level == "community")
        ):
            for key in {str(area_id), _key(code or ""), _key(name)} - {""}:
                self.by_key[key].add(area_id)
            if scope is None or path.startswith(scope.path):
                self.in_scope[area_id] = path
        self.households: dict[int, dict[str, set[int]]] = {}

    def community(self, value: str) -> tuple[int | None, RowMessage | None]:
        candidates = self.by_key.get(_key(value), set())
        usable = candidates & set(self.in_scope)
        if len(usable) == 1:
            return next(iter(usable)), None
        if usable:
            return None, row_message(
                "community %(community)s is ambiguous: use its id or code", community=repr(value)
            )
        # Another street's community reads as unknown: an import must not tell what exists outside one's area.
        return None, row_message("unknown community %(community)s", community=repr(value))

    def household(self, community_id: int, value: str) -> tuple[int | None, RowMessage | None]:
        """A household of the community named by its id or by a label unique in the community."""
        if community_id not in self.households:
            index: dict[str, set[int]] = defaultdict(set)
            rows = db.session.execute(
                select(Household.id, Household.label)
                .join(Area, Area.id == Household.area_id)
                .where(Area.path.startswith(self.in_scope[community_id]))
            )
            for household_id, label in rows:
                index[str(household_id)].add(household_id)
                index[_key(label)].add(household_id)
            self.households[community_id] = index
        found = self.households[community_id].get(_key(value), set())
        if len(found) == 1:
            return next(iter(found)), None
        if found:
            return None, row_message(
                "household %(household)s is ambiguous: use its id", household=repr(value)
            )
        return None, row_message(
            "no household %(household)s in this community", household=repr(value)
        )


def _check_row(
    number: int, values: dict[str, str], places: Places, seen: dict[str, int], report: ImportReport
) -> dict | None:
    errors: list[RowMessage] = []
    community_id, problem = places.community(values["community"])
    errors += [problem] if problem else []
    day = parse_date(values["occurred_on"])
    errors += (
        [row_message("occurred_on %(value)s is not a date", value=repr(values["occurred_on"]))]
        if day is None
        else []
    )
    if day is not None and check_occurred_on(day):
        errors.append(
            row_message("occurred_on must not be in the future")
            if day > today()
            else row_message("occurred_on must not be before %(date)s", date=EARLIEST.isoformat())
        )
    fraud_type = parse_type(values["fraud_type"])
    errors += (
        [row_message("unknown fraud type %(value)s", value=repr(values["fraud_type"]))]
        if fraud_type is None
        else []
    )
    loss = parse_loss(values["loss_amount"])
    errors += (
        [
            row_message(
                "loss_amount %(value)s is not an amount ≥ 0", value=repr(values["loss_amount"])
            )
        ]
        if loss is None
        else []
    )
    band, band_ok = parse_age(values.get("victim_age_band", ""))
    errors += (
        [row_message("unknown age band %(value)s", value=repr(values["victim_age_band"]))]
        if not band_ok
        else []
    )
    household_id = None
    if community_id is not None and values.get("household"):
        household_id, problem = places.household(community_id, values["household"])
        errors += [problem] if problem else []
    address = normalize_address(values.get("place"))
    if address and len(address) > 200:
        errors.append(row_message("place longer than 200 characters"))
    reference = values.get("reference") or None
    if reference and len(reference) > 40:
        errors.append(row_message("case number longer than 40 characters"))
    elif reference and reference in seen:
        errors.append(
            row_message(
                "case number %(reference)s repeats row %(row)s",
                reference=repr(reference),
                row=seen[reference],
            )
        )
    for message in errors:
        report.error(number, message)
    if errors:
        return None
    if reference:
        seen[reference] = number
    return {
        "number": number,
        "area_id": community_id,
        "occurred_on": day,
        "fraud_type": fraud_type,
        "loss_amount": loss,
        "victim_age_band": band,
        "household_id": household_id,
        "reference": reference,
        "address": address,
    }


def _report_existing(rows: list[dict], report: ImportReport) -> None:
    references = [row["reference"] for row in rows if row["reference"]]
    existing: set[str] = set()
    for chunk in chunked(references, 500):
        existing.update(
            db.session.scalars(select(FraudCase.reference).where(FraudCase.reference.in_(chunk)))
        )
    for row in rows:
        if row["reference"] in existing:
            report.error(
                row["number"],
                row_message(
                    "case number %(reference)s is already recorded",
                    reference=repr(row["reference"]),
                ),
            )


def import_cases(
    actor: User, data: bytes, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Check every row of a CSV or XLSX file; insert all of them, or none when any is wrong."""
    require(actor, "import", "case")
    report, places, seen = ImportReport(), Places(actor), {}
    rows = [
        row
        for number, values in read_rows(data, COLUMNS, report, REQUIRED, progress)
        if (row := _check_row(number, values, places, seen, report))
    ]
    _report_existing(rows, report)
    if not report.ok or not rows:
        return report
    now = utcnow()
    try:
        with db.session.begin_nested():
            for chunk in chunked(rows, 2000):
                db.session.execute(
                    FraudCase.__table__.insert(),
                    [
                        {
                            **{k: v for k, v in row.items() if k != "number"},
                            "created_by_id": actor.id,
                            "created_at": now,
                        }
                        for row in chunk
                    ],
                )
    except IntegrityError:
        raise Conflict(
            "cases changed during the import: try again",
            {"file": "a case number was added meanwhile"},
        ) from None
    report.created = len(rows)
    record_event(actor, "case.import", None, created=report.created)
    created = list(
        db.session.scalars(
            select(FraudCase)
            .where(FraudCase.created_by_id == actor.id, FraudCase.created_at == now)
            .order_by(FraudCase.id)
        )
    )
    must_checks.open_for_cases(created)
    return_visits.open_for_cases(created)
    return report
