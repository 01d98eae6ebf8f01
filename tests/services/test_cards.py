"""Red/yellow cards: colours at the thresholds, the change, and when cards were issued and lifted."""

from datetime import date

import pytest

from app.services import cards
from app.services.coverage import Period
from tests.factories import make_area, make_case

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def thresholds(app, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_RED_PER_10K", 3)
    monkeypatch.setitem(app.config, "CARD_YELLOW_PER_10K", 1.5)


@pytest.fixture
def places(app, thresholds):
    street = make_area(name="南街道", level="street", population=70000)
    communities = {
        name: make_area(name=name, level="community", parent=street, population=population)
        for name, population in (("A", 10000), ("B", 20000), ("C", 20000), ("D", 10000))
    }
    communities["none"] = make_area(name="无人口", level="community", parent=street)
    return street, communities


def cases(community, day, n):
    for _ in range(n):
        make_case(area=community, occurred_on=day)


def by_name(result):
    return {item["name"]: item for item in result}


def test_colours_at_the_thresholds(places):
    street, c = places
    cases(c["A"], date(2026, 3, 5), 3)  # 3.0 per 10,000: red, exactly at the threshold
    cases(c["B"], date(2026, 3, 31), 3)  # 1.5: yellow, exactly
    cases(c["C"], date(2026, 3, 1), 2)  # 1.0: none
    cases(c["none"], date(2026, 3, 1), 5)  # no population: no rate, no card
    cases(c["C"], date(2026, 4, 1), 9)  # after the period
    result = by_name(cards.evaluate(street, MARCH))
    assert (result["A"]["rate_per_10k"], result["A"]["card"]) == (3.0, "red")
    assert (result["B"]["rate_per_10k"], result["B"]["card"]) == (1.5, "yellow")
    assert (result["C"]["rate_per_10k"], result["C"]["card"]) == (1.0, None)
    assert (result["无人口"]["rate_per_10k"], result["无人口"]["card"]) == (None, None)
    street_card = result["南街道"]  # its communities' cases over its own population
    assert street_card["cases"] == 13 and street_card["rate_per_10k"] == round(13 / 7, 4)
    assert street_card["card"] == "yellow"


def test_just_below_the_thresholds(places, app, monkeypatch):
    street, c = places
    monkeypatch.setitem(app.config, "CARD_RED_PER_10K", 3.0001)
    monkeypatch.setitem(app.config, "CARD_YELLOW_PER_10K", 1.5001)
    cases(c["A"], date(2026, 3, 5), 3)
    cases(c["B"], date(2026, 3, 5), 3)
    result = by_name(cards.evaluate(street, MARCH))
    assert (result["A"]["card"], result["B"]["card"]) == ("yellow", None)


def test_change_against_the_previous_period(places):
    street, c = places
    cases(c["A"], date(2026, 1, 29), 1)  # the previous period of March is 29 January to 28 February
    cases(c["A"], date(2026, 1, 28), 5)  # before it
    cases(c["A"], date(2026, 3, 2), 3)
    a = by_name(cards.evaluate(street, MARCH))["A"]
    assert (a["cases"], a["cases_previous"], a["rate_previous"], a["change"]) == (3, 1, 1.0, 2.0)


def test_history_issues_and_lifts_cards(places):
    street, c = places
    cases(c["A"], date(2026, 3, 5), 3)  # red in March only
    cases(c["D"], date(2026, 2, 10), 2)  # yellow in February,
    cases(c["D"], date(2026, 3, 10), 3)  # red in March
    cases(c["D"], date(2026, 4, 10), 3)  # and April
    cases(c["D"], date(2026, 5, 10), 0)
    history = cards.history(street, date(2026, 5, 15))
    assert history[c["A"].id] == [
        {"card": "red", "issued_on": "2026-04-01", "lifted_on": "2026-05-01"}
    ]
    assert history[c["D"].id] == [
        {"card": "yellow", "issued_on": "2026-03-01", "lifted_on": "2026-04-01"},
        {"card": "red", "issued_on": "2026-04-01", "lifted_on": None},
    ]
    assert history[c["C"].id] == []
    active = cards.active_cards(street, date(2026, 5, 15))
    assert active[0]["area_id"] == c["D"].id and active[0]["lifted_on"] is None


def test_month_still_running_is_not_in_the_history(places):
    street, c = places
    cases(c["A"], date(2026, 5, 2), 5)
    assert cards.history(street, date(2026, 5, 15))[c["A"].id] == []
