"""The periods leaders pick with one click: today, this week, this month, last month, this quarter, this year."""

from __future__ import annotations

from datetime import date, timedelta

# In the order the pages show them; "month" (this month up to today) is the default period.
PRESETS = ("today", "week", "month", "last_month", "quarter", "year")


def preset(name: str, today: date) -> tuple[date, date]:
    """(first, last) local days of a preset; periods still running end today."""
    if name == "today":
        return today, today
    if name == "week":  # weeks start on Monday, as in China
        return today - timedelta(days=today.weekday()), today
    if name == "last_week":  # the city's weekly case map: Monday to Sunday of last week
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if name == "month":
        return today.replace(day=1), today
    if name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if name == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if name == "year":
        return date(today.year, 1, 1), today
    raise ValueError(f"unknown period preset {name!r}")


def presets(today: date) -> list[dict]:
    """Every preset as {"name", "first", "last"} for links."""
    return [
        {"name": name, "first": first, "last": last}
        for name in PRESETS
        for first, last in [preset(name, today)]
    ]
