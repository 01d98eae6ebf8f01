"""GET /awareness: counted responses and passes per area and period, rolled up like coverage."""

from __future__ import annotations

from datetime import date

from tests.factories import local, make_quiz, make_quiz_response


def test_awareness_rolls_up_street_to_community_and_grid(api, district, monkeypatch):
    a = district.a
    on_street = make_quiz(area=a.street)
    in_community = make_quiz(area=a.community)
    in_grid = make_quiz(area=a.grids[0])
    in_b = make_quiz(area=district.b.community)
    day = local(2026, 3, 10, 12)
    for quiz, passed in [(on_street, True), (in_community, True), (in_community, False)]:
        make_quiz_response(quiz=quiz, passed=passed, at=day)
    make_quiz_response(quiz=in_grid, passed=True, at=day)
    make_quiz_response(quiz=in_grid, passed=True, counted=False, at=day)  # too fast
    make_quiz_response(quiz=in_grid, passed=True, at=local(2026, 4, 1, 0, 30))  # next month
    make_quiz_response(quiz=in_b, passed=False, at=day)

    period = "from=2026-03-01&to=2026-03-31"
    district_wide = api.get(f"/awareness?{period}", district.admin).json
    assert (district_wide["area_id"], district_wide["responses"], district_wide["passed"]) == (
        None,
        5,
        3,
    )
    by_street = {c["area_id"]: c for c in district_wide["children"]}
    assert by_street[a.street.id]["responses"] == 4
    assert by_street[a.street.id]["awareness_rate"] == 0.75

    street = api.get(f"/awareness?area_id={a.street.id}&{period}", a.leader).json
    assert (street["responses"], street["passed"]) == (4, 3)
    [community] = street["children"]
    assert (community["area_id"], community["responses"], community["passed"]) == (
        a.community.id,
        3,
        2,
    )
    assert community["awareness_rate"] == round(2 / 3, 4)

    grids = api.get(f"/awareness?area_id={a.community.id}&{period}", a.coordinator).json
    assert {c["area_id"]: c["responses"] for c in grids["children"]} == {
        a.grids[0].id: 1,
        a.grids[1].id: 0,
    }
    assert grids["children"][1]["awareness_rate"] == 0.0
    one_grid = api.get(f"/awareness?area_id={a.grids[0].id}&{period}", a.coordinator).json
    assert (one_grid["responses"], one_grid["children"]) == (1, [])
    assert one_grid["from"] == "2026-03-01" and date.fromisoformat(one_grid["to"]).day == 31


def test_awareness_is_for_readers_in_their_area(api, district):
    a = district.a
    assert api.get("/awareness", a.worker).status_code == 403
    assert api.get(f"/awareness?area_id={district.b.street.id}", a.leader).status_code == 403
    mine = api.get("/awareness", a.leader).json
    assert mine["area_id"] == a.street.id
    assert api.get("/awareness?from=2026-03-05&to=2026-03-01", a.leader).status_code == 422
