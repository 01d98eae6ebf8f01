"""The leaders' ranking: ordered by the chosen measure with rank numbers, "—" for a change from
nothing, the cards each area holds now; one-click periods on every leader page."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.services.localtime import today
from tests.factories import local, make_case, make_visit
from tests.services.coverage_helpers import build_march_district

PERIOD = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def march(app):
    m = build_march_district()
    db.session.commit()
    return m


def ranking_rows(html: str) -> list[tuple[str, str]]:
    """(rank, area name) of each ranking row, in page order."""
    body = html[html.index('id="ranking"') :].split("</table>")[0]
    rows = []
    for chunk in body.split("<tr data-name=")[1:]:
        name = chunk.split('"')[1]
        rank = chunk.split('<td class="rank">')[1].split("</td>")[0]
        rows.append((rank, name))
    return rows


def test_the_ranking_is_ordered_by_the_chosen_measure(client, login_as, march):
    login_as(march.district_leader)
    by_coverage = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert ranking_rows(by_coverage) == [("1", "东街道"), ("2", "西街道")]
    # Ranked by overdue tasks, which neither has: a shared first rank.
    by_overdue = client.get(f"/dashboard/?{PERIOD}&sort=overdue_tasks").get_data(as_text=True)
    assert [rank for rank, _name in ranking_rows(by_overdue)] == ["1", "1"]
    assert 'class="ranked-by"><button type="button" data-sort="overdue_tasks"' in by_overdue
    assert client.get(f"/dashboard/?{PERIOD}&sort=nonsense").status_code == 422


def row_of(page: str, name: str) -> str:
    return page[page.index(f'<tr data-name="{name}"') :].split("</tr>")[0]


def test_a_change_from_a_period_without_data_is_a_dash(client, login_as, march):
    # February: a check-in at 东街道's grid 2 and a visit in 西街道, nothing else.
    login_as(march.district_leader)
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    east, west = row_of(page, "东街道"), row_of(page, "西街道")
    assert 'data-site_change=""' not in east and 'data-household_change=""' in east
    assert 'data-site_change=""' in west and 'data-household_change=""' not in west
    assert page.count('class="change none"') == 2
    make_visit(household=march.h1, user=march.worker, at=local(2026, 2, 10, 12))
    db.session.commit()
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    assert page.count('class="change none"') == 1
    assert 'data-household_change=""' not in row_of(page, "东街道")


def test_the_card_column_shows_the_cards_held_now(client, login_as, march):
    last_month = today().replace(day=1) - timedelta(days=1)
    for day in (3, 4, 5):  # 3 cases per 10,000 residents of 西一社区 last month: a red card now
        make_case(area=march.c2, occurred_on=last_month.replace(day=day))
    db.session.commit()
    login_as(march.district_leader)
    page = client.get(f"/dashboard/?{PERIOD}").get_data(as_text=True)
    west, east = row_of(page, "西街道"), row_of(page, "东街道")
    assert "card-badge red" in west and "card-badge" not in east
    by_card = client.get(f"/dashboard/?{PERIOD}&sort=card_rank").get_data(as_text=True)
    assert ranking_rows(by_card) == [("1", "西街道"), ("2", "东街道")]


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/map", "/dashboard/cases"])
def test_period_presets_on_leader_pages(client, login_as, march, path):
    login_as(march.district_leader)
    page = client.get(path).get_data(as_text=True)
    now = today()
    first_of_month = now.replace(day=1)
    previous = first_of_month - timedelta(days=1)
    for name in ("today", "week", "month", "last_month", "quarter", "year"):
        assert f'data-preset="{name}"' in page
    link = page[page.index('data-preset="last_month"') :].split(">")[0]
    assert (
        f"from={previous.replace(day=1).isoformat()}" in link
        and f"to={previous.isoformat()}" in link
    )
    current = page[page.index('data-preset="month"') :].split(">")[0]
    assert 'aria-current="true"' in current  # the default period is this month to date
    assert date.fromisoformat(first_of_month.isoformat()) == first_of_month
