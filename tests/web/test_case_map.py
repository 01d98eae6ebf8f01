"""The case map's data: a period's cases per community (count, loss, rate per 10,000), by fraud
type, the card each community holds now, boundaries for drawing; scoped to the reader's area."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.services.localtime import today
from tests.factories import build_district, make_case

PERIOD = "from=2026-03-01&to=2026-03-31"


def square(lng: float, lat: float) -> dict:
    ring = [[lng, lat], [lng + 0.01, lat], [lng + 0.01, lat + 0.01], [lng, lat + 0.01], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def district(app):
    d = build_district()
    d.a.community.population, d.b.community.population = 10000, 20000
    d.a.community.boundary = square(121.55, 29.90)
    make_case(
        area=d.a.community, occurred_on=date(2026, 3, 2), loss="1000.50", fraud_type="shopping"
    )
    make_case(
        area=d.a.community, occurred_on=date(2026, 3, 31), loss="200", fraud_type="order_brushing"
    )
    make_case(area=d.a.community, occurred_on=date(2026, 4, 1), loss="999")  # after the period
    make_case(area=d.b.community, occurred_on=date(2026, 3, 15), loss="50", fraud_type="shopping")
    last_month = today().replace(day=1) - timedelta(days=1)
    for day in (1, 2, 3):  # 3 cases per 10,000 last month: 甲's community holds a red card now
        make_case(area=d.a.community, occurred_on=last_month.replace(day=day))
    db.session.commit()
    return d


def test_cases_per_community_for_the_period(client, login_as, district):
    login_as(district.leader)
    body = client.get(f"/dashboard/data/case-map.json?{PERIOD}").get_json()
    rows = {r["name"]: r for r in body["communities"]}
    a, b = rows[district.a.community.name], rows[district.b.community.name]
    assert (a["cases"], a["loss"], a["rate_per_10k"], a["card"]) == (2, 1200.5, 2.0, "red")
    assert (b["cases"], b["loss"], b["rate_per_10k"], b["card"]) == (1, 50.0, 0.5, None)
    assert a["boundary"]["type"] == "Polygon" and b["boundary"] is None
    assert body["cases"] == 3


def test_filtered_by_fraud_type_and_scoped(client, login_as, district):
    login_as(district.a.leader)
    body = client.get(f"/dashboard/data/case-map.json?{PERIOD}&fraud_type=shopping").get_json()
    assert [(r["name"], r["cases"]) for r in body["communities"]] == [
        (district.a.community.name, 1)
    ]
    assert client.get(f"/dashboard/data/case-map.json?{PERIOD}&fraud_type=bogus").status_code == 422
    outside = client.get(f"/dashboard/data/case-map.json?area_id={district.b.street.id}")
    assert outside.status_code in (403, 404)


def test_the_page_has_presets_a_type_filter_and_the_export(client, login_as, district):
    login_as(district.leader)
    page = client.get(f"/dashboard/case-map?{PERIOD}&fraud_type=shopping").get_data(as_text=True)
    assert 'id="case-map-export"' in page and 'data-preset="last_week"' in page
    assert 'data-preset="month"' in page and '<option value="shopping" selected>' in page
    assert "fraud_type=shopping" in page[page.index('data-preset="last_month"') :].split(">")[0]
