"""同比/环比 of cases and losses in the daily report and on the dashboard."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from tests.factories import make_case


def test_the_daily_report_compares_with_last_year_and_the_day_before(api, district):
    a = district.a
    day = date(2026, 3, 1)
    make_case(area=a.community, occurred_on=day, loss="300")
    make_case(area=a.community, occurred_on=day, loss="100")
    make_case(area=a.community, occurred_on=date(2025, 3, 1), loss="200")
    make_case(area=a.community, occurred_on=date(2026, 2, 28), loss="400")
    make_case(area=a.community, occurred_on=date(2026, 2, 27), loss="9999")  # neither
    make_case(area=district.b.community, occurred_on=date(2025, 3, 1), loss="50")
    db.session.commit()
    report = api.get("/reports/daily?date=2026-03-01", user=a.leader).get_json()
    compare = report["compare"]
    assert (compare["last_year_from"], compare["previous_from"]) == ("2025-03-01", "2026-02-28")
    assert compare["cases"] == {
        "now": 2,
        "last_year": 1,
        "previous": 1,
        "year_on_year": 1.0,
        "period_on_period": 1.0,
    }
    assert compare["losses"]["year_on_year"] == 1.0  # 400 against 200
    assert compare["losses"]["period_on_period"] == 0.0  # 400 against 400
    other = api.get("/reports/daily?date=2026-03-01", user=district.b.leader).get_json()
    assert other["compare"]["cases"]["now"] == 0
    assert other["compare"]["cases"]["year_on_year"] == -1.0
    assert other["compare"]["cases"]["period_on_period"] is None  # nothing the day before


def test_the_dashboard_shows_the_changes(client, login_as, district):
    a = district.a
    make_case(area=a.community, occurred_on=date(2026, 3, 10), loss="300")
    make_case(area=a.community, occurred_on=date(2025, 3, 10), loss="100")
    db.session.commit()
    login_as(a.leader)
    page = client.get("/dashboard/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert 'data-figure="cases_compare"' in page and "+0.0%" in page
