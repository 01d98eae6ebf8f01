"""The monthly assessment (考核): normalised indicators, weighted scores, ranks, and the XLSX
sheet with the same numbers, from which each score can be recomputed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.models import INDICATORS
from tests.factories import local, make_case, make_checkin, make_quiz, make_quiz_response

MONTH = "month=2026-03"


@pytest.fixture
def march(district):
    a, b = district.a, district.b
    a.street.population, b.street.population = 20_000, 10_000
    a.community.population, b.community.population = 20_000, 10_000
    make_checkin(user=a.worker, site=a.sites[0], at=local(2026, 3, 5, 10))
    make_case(area=a.community, occurred_on=date(2026, 3, 9))  # 0.5 per 10,000
    make_case(area=b.community, occurred_on=date(2026, 3, 9))
    make_case(area=b.community, occurred_on=date(2026, 3, 19))  # 2 per 10,000: the highest
    quiz = make_quiz(area=a.community)
    make_quiz_response(quiz=quiz, passed=True, at=local(2026, 3, 10, 9))
    make_quiz_response(quiz=quiz, passed=False, at=local(2026, 3, 10, 9))
    return district


def test_scores_follow_the_definition_and_rank(api, march):
    assert (
        api.put("/assessment/weights", march.admin, json={"awareness_rate": 3}).status_code == 200
    )
    result = api.get(f"/assessment?{MONTH}", march.leader).json
    rows = {r["name"]: r for r in result["rows"]}
    a, b = rows[march.a.street.name], rows[march.b.street.name]
    assert a["indicators"]["site_coverage"] == {"value": 0.5, "normalised": 50.0, "weight": 1.0}
    assert a["indicators"]["cases_per_10k"]["normalised"] == 75.0  # 100 × (1 − 0.5 ÷ 2)
    assert b["indicators"]["cases_per_10k"]["normalised"] == 0.0
    assert a["indicators"]["awareness_rate"] == {"value": 0.5, "normalised": 50.0, "weight": 3.0}
    for row in (a, b):
        parts = row["indicators"].values()
        expected = sum(p["weight"] * p["normalised"] for p in parts) / sum(
            p["weight"] for p in parts
        )
        assert row["score"] == round(expected, 2)
    assert (a["rank"], b["rank"]) == (1, 2) and a["score"] > b["score"]
    assert result["weights"]["awareness_rate"] == 3.0


def test_no_case_anywhere_scores_100_on_cases(api, district):
    result = api.get(f"/assessment?{MONTH}&level=community", district.admin).json
    assert {r["indicators"]["cases_per_10k"]["normalised"] for r in result["rows"]} == {100.0}
    assert {r["rank"] for r in result["rows"]} == {1}  # equal scores share the rank


def test_the_xlsx_sheet_has_the_json_numbers(api, march):
    result = api.get(f"/assessment?{MONTH}", march.leader).json
    response = api.get(f"/assessment?{MONTH}&format=xlsx", march.leader)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026" in rows[0][0] and "03" in rows[0][0] and "全区" in rows[0][0]
    body = rows[3:]
    assert len(body) == len(result["rows"])
    for line, row in zip(body, result["rows"], strict=True):
        assert line[0] == row["name"]
        numbers = line[1:-2]
        for i, name in enumerate(INDICATORS):
            indicator = row["indicators"][name]
            assert numbers[3 * i : 3 * i + 3] == (
                indicator["value"],
                indicator["normalised"],
                indicator["weight"],
            )
        normalised, weights = numbers[1::3], numbers[2::3]
        recomputed = sum(n * w for n, w in zip(normalised, weights, strict=True)) / sum(weights)
        assert line[-2] == row["score"] == round(recomputed, 2) and line[-1] == row["rank"]


def test_who_may_read_and_set(api, district):
    assert api.get(f"/assessment?{MONTH}", district.a.worker).status_code == 403
    mine = api.get(f"/assessment?{MONTH}&level=community", district.a.leader).json
    assert [r["area_id"] for r in mine["rows"]] == [district.a.community.id]
    body = {"site_coverage": 2}
    assert api.put("/assessment/weights", district.a.coordinator, json=body).status_code == 403
    assert (
        api.put("/assessment/weights", district.admin, json={"site_coverage": -1}).status_code
        == 422
    )
    zero = dict.fromkeys(INDICATORS, 0)
    assert api.put("/assessment/weights", district.admin, json=zero).status_code == 422
    assert api.get("/assessment?month=2026-13", district.admin).status_code == 422
    assert api.get("/assessment", district.admin).status_code == 422


WORKER_INDICATORS = {"site_coverage", "household_coverage", "warnings_on_time", "rounds_completed"}


@pytest.fixture
def workers_march(march):
    from tests.factories import make_warning

    a = march.a
    make_warning(area=a.grids[0], at=local(2026, 3, 9, 8), hours=24, handled_after=2)
    make_warning(area=a.grids[0], at=local(2026, 3, 12, 8), hours=24, handled_after=30)
    make_warning(area=march.b.grids[0], at=local(2026, 3, 9, 8), hours=24)
    return march


def test_grid_workers_are_scored_on_their_grids(api, workers_march):
    m = workers_march
    api.put("/assessment/weights", m.admin, json={"site_coverage": 2, "awareness_rate": 5})
    result = api.get(f"/assessment?{MONTH}&level=worker", m.leader).json
    assert result["level"] == "worker"
    rows = {r["user_id"]: r for r in result["rows"]}
    assert set(rows) == {m.a.worker.id, m.b.worker.id}  # the police officer works no grid
    a, b = rows[m.a.worker.id], rows[m.b.worker.id]
    assert a["grids"] == [m.a.grids[0].name] and a["area_id"] is None
    assert set(a["indicators"]) == WORKER_INDICATORS
    assert a["indicators"]["site_coverage"] == {"value": 1.0, "normalised": 100.0, "weight": 2.0}
    assert a["indicators"]["warnings_on_time"]["value"] == 0.5
    assert b["indicators"]["site_coverage"]["value"] == 0.0
    assert b["indicators"]["warnings_on_time"]["value"] == 0.0
    for row in (a, b):  # the weights of indicators a person is not scored on do not count
        parts = row["indicators"].values()
        expected = sum(p["weight"] * p["normalised"] for p in parts) / sum(
            p["weight"] for p in parts
        )
        assert row["score"] == round(expected, 2)
    assert (a["rank"], b["rank"]) == (1, 2)


def test_a_street_sees_its_own_grid_workers(api, workers_march):
    m = workers_march
    mine = api.get(f"/assessment?{MONTH}&level=worker", m.b.coordinator).json
    assert [r["user_id"] for r in mine["rows"]] == [m.b.worker.id]
    assert api.get(f"/assessment?{MONTH}&level=worker", m.b.worker).status_code == 403


def test_the_worker_sheet_and_page(api, login_as, workers_march):
    m = workers_march
    result = api.get(f"/assessment?{MONTH}&level=worker", m.admin).json
    response = api.get(f"/assessment?{MONTH}&level=worker&format=xlsx", m.admin)
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert "网格员" in rows[0][0]
    body = rows[3:]
    assert [line[0] for line in body] == [r["name"] for r in result["rows"]]
    for line, row in zip(body, result["rows"], strict=True):
        for i, name in enumerate(INDICATORS):
            cells = line[1 + 3 * i : 4 + 3 * i]
            if name in WORKER_INDICATORS:
                assert cells[1] == row["indicators"][name]["normalised"]
            else:
                assert cells == (None, None, None)
        assert line[-2:] == (row["score"], row["rank"])
    page = login_as(m.a.coordinator).get(f"/dashboard/assessment?{MONTH}&level=worker")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-user="{m.a.worker.id}"' in html and f'data-user="{m.b.worker.id}"' not in html
