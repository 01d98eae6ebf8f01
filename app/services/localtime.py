"""The district's clock: days, deadlines and "time left" in Asia/Shanghai, stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import Boolean, Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.models.base import utcnow

DEFAULT_TIMEZONE = "Asia/Shanghai"


def local_zone() -> ZoneInfo:
    """The configured zone (Asia/Shanghai unless TIMEZONE says otherwise)."""
    name = (
        current_app.config.get("TIMEZONE", DEFAULT_TIMEZONE)
        if has_app_context()
        else DEFAULT_TIMEZONE
    )
    return ZoneInfo(name)


def to_local(moment: datetime) -> datetime:
    """An aware UTC moment as local wall-clock time."""
    return moment.astimezone(local_zone())


def today(now: datetime | None = None) -> date:
    """The local calendar day of `now`."""
    return to_local(now or utcnow()).date()


def start_of_day(day: date) -> datetime:
    """Local midnight at the start of `day`, in UTC."""
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last second of local `day`, in UTC: the due time of a campaign ending that day."""
    return start_of_day(day + timedelta(days=1)) - timedelta(seconds=1)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of local `day`, in UTC, for range queries."""
    return start_of_day(day), start_of_day(day + timedelta(days=1))


def seconds_left(deadline: datetime, now: datetime | None = None) -> int:
    """Whole seconds until `deadline`; negative once it has passed."""
    return int((deadline - (now or utcnow())).total_seconds())


class local_date(FunctionElement):  # noqa: N801  (reads like the SQL function it stands for)
    """SQL: the local calendar day of a UTC timestamp column, on SQLite and PostgreSQL."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw):
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"CAST(({column}) AT TIME ZONE '{local_zone().key}' AS DATE)"


@compiles(local_date)
def _local_date_default(element, compiler, **kw):
    # SQLite stores UTC text; the zone's current offset is exact for zones without daylight saving.
    offset = int(local_zone().utcoffset(datetime.now(UTC)).total_seconds() // 60)
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"date({column}, '{offset:+d} minutes')"


class usually(FunctionElement):  # noqa: N801
    """SQL: a condition most rows meet (most check-ins are accepted), so that SQLite without
    ANALYZE statistics does not drive a query from that column's index; elsewhere the plain condition."""

    type = Boolean()
    inherit_cache = True
    name = "usually"


@compiles(usually, "sqlite")
def _usually_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(list(element.clauses)[0], **kw)}, 0.9)"


@compiles(usually)
def _usually_default(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)
