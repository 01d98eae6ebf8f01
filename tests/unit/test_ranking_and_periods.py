"""Ranking order and ranks, changes from nothing, and the one-click periods."""

from datetime import date

import pytest

from app.services import periods, ranking


def test_ranks_by_the_measure_with_shared_ranks_and_blanks_last():
    rows = [
        {"name": "丙", "checkins": 5, "site_change": None},
        {"name": "甲", "checkins": 9, "site_change": 0.1},
        {"name": "乙", "checkins": 5, "site_change": -0.2},
        {"name": "丁", "checkins": 1, "site_change": 0.0},
    ]
    ordered = ranking.rank_rows(rows, "checkins")
    assert [(r["name"], r["rank"]) for r in ordered] == [("甲", 1), ("丙", 2), ("乙", 2), ("丁", 4)]
    by_change = ranking.rank_rows(rows, "site_change")
    assert [(r["name"], r["rank"]) for r in by_change] == [
        ("甲", 1),
        ("丁", 2),
        ("乙", 3),
        ("丙", None),
    ]


def test_a_change_from_no_data_is_none():
    assert ranking.change(0.5, None, "checkins", "site_coverage") is None
    assert (
        ranking.change(0.5, {"checkins": 0, "site_coverage": 0.0}, "checkins", "site_coverage")
        is None
    )
    assert (
        ranking.change(0.5, {"checkins": 2, "site_coverage": 0.2}, "checkins", "site_coverage")
        == 0.3
    )


@pytest.mark.parametrize(
    "name, first, last",
    [
        ("today", date(2026, 5, 14), date(2026, 5, 14)),
        ("week", date(2026, 5, 11), date(2026, 5, 14)),  # Monday to Thursday
        ("month", date(2026, 5, 1), date(2026, 5, 14)),
        ("last_month", date(2026, 4, 1), date(2026, 4, 30)),
        ("quarter", date(2026, 4, 1), date(2026, 5, 14)),
        ("year", date(2026, 1, 1), date(2026, 5, 14)),
    ],
)
def test_presets(name, first, last):
    assert periods.preset(name, date(2026, 5, 14)) == (first, last)


def test_last_month_in_january_is_december():
    assert periods.preset("last_month", date(2027, 1, 3)) == (date(2026, 12, 1), date(2026, 12, 31))
