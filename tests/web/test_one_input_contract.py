"""One input contract per resource: a page loads its form through the API's schema, so a value
one of them refused and the other took is now answered alike by both (the API's rule won).

Each test posts the value over which the page's old WTForms rules and the API's schema
disagreed, to the page and to the API, and compares the answers."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.content.quiz_bank import bank_questions
from app.extensions import db
from app.models import Area, Campaign, FraudCase, Quiz, RiskWarning, User
from tests.factories import PASSWORD, make_quiz, make_warning

ERROR = re.compile(r'<p class="errors" data-field="([^"]+)">(.*?)</p>', re.S)


def page_errors(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for field, message in ERROR.findall(response.get_data(as_text=True)):
        found.setdefault(field, []).append(html.unescape(message))
    return found


def api_errors(response) -> dict[str, list[str]]:
    return response.get_json()["errors"]["json"]


def assert_refused_alike(page, api, field: str, status: int = 422) -> None:
    assert page.status_code == status, page.get_data(as_text=True)[:2000]
    assert api.status_code == status, api.get_json()
    assert page_errors(page)[field] == api_errors(api)[field]


CAMPAIGN = {
    "title": "十一月入户宣传",
    "kind": "door_to_door",
    "starts_on": "2026-11-01",
    "ends_on": "2026-11-30",
}


def _campaign_both(client, api, district, **changes):
    a = district.a
    form = {**CAMPAIGN, "area_id": a.community.id, "household_rounds": "1", **changes}
    page = client.post("/coordinate/campaigns", data=form)
    targets = {"household_rounds": int(form.pop("household_rounds"))}
    body = {**form, "title": form["title"] + " API", "area_id": a.community.id, "targets": targets}
    return page, api.post("/campaigns", user=a.coordinator, json=body)


def test_a_campaign_day_before_2000_is_refused_by_page_and_api(client, api, login_as, district):
    """The page's DateField took any day (and the service stored it); the API's Day refuses it."""
    login_as(district.a.coordinator)
    page, answer = _campaign_both(client, api, district, starts_on="1999-12-31")
    assert_refused_alike(page, answer, "starts_on")
    assert db.session.scalar(select(Campaign.id)) is None


def test_forty_household_rounds_are_a_target_for_page_and_api(client, api, login_as, district):
    """The page allowed 1-31 household rounds, the API any target up to 1,000,000: both take 40."""
    login_as(district.a.coordinator)
    page, answer = _campaign_both(client, api, district, household_rounds="40")
    assert page.status_code == 302, page.get_data(as_text=True)[:2000]
    assert answer.status_code == 201, answer.get_json()
    targets = db.session.scalars(select(Campaign.targets)).all()
    assert targets == [{"household_rounds": 40}, {"household_rounds": 40}]


CASE = {"occurred_on": "2026-03-01", "fraud_type": "shopping", "loss_amount": "100"}


def _case_both(client, api, district, **changes):
    a = district.a
    form = {**CASE, "area_id": a.community.id, **changes}
    return client.post("/dashboard/cases", data=form), api.post(
        "/cases", user=a.coordinator, json=form
    )


def test_a_case_after_2099_is_refused_alike(client, api, login_as, district):
    """The page sent 2100 to the service ("must not be in the future"), the API's Day refused it."""
    login_as(district.a.coordinator)
    page, answer = _case_both(client, api, district, occurred_on="2100-01-01")
    assert_refused_alike(page, answer, "occurred_on")


def test_a_loss_in_fractions_of_a_cent_is_refused_alike(client, api, login_as, district):
    """The page's DecimalField took 12.345 (and rounded it away); the API refuses it."""
    login_as(district.a.coordinator)
    page, answer = _case_both(client, api, district, loss_amount="12.345")
    assert_refused_alike(page, answer, "loss_amount")
    assert db.session.scalar(select(FraudCase.id)) is None


def _area_both(client, api, district, **changes):
    a = district.a
    form = {"name": "新社区", "level": "community", "parent_id": a.street.id, **changes}
    page = client.post("/coordinate/areas", data=form)
    body = {**form, "name": form["name"] + "乙"}
    for key in ("household_count", "population"):
        if key in body:
            body[key] = int(body[key])
    return page, api.post("/areas", user=a.coordinator, json=body)


def test_a_household_count_past_the_column_is_refused_alike(client, api, login_as, district):
    """The page's IntegerField had no upper bound; the API's Count stops at the column's."""
    login_as(district.a.coordinator)
    page, answer = _area_both(client, api, district, household_count=str(2**31))
    assert_refused_alike(page, answer, "household_count")


def test_zero_households_is_stored_as_zero_by_page_and_api(client, api, login_as, district):
    """The page turned 0 households into "unknown" (None); the API keeps 0."""
    login_as(district.a.coordinator)
    page, answer = _area_both(client, api, district, household_count="0")
    assert page.status_code == 302 and answer.status_code == 201
    counts = db.session.scalars(
        select(Area.household_count).where(Area.name.in_(("新社区", "新社区乙")))
    ).all()
    assert counts == [0, 0]


def test_a_nul_in_a_name_is_refused_alike(client, api, login_as, district):
    """Alike before too (the flush guard words it as the Text field does); now the schema refuses
    it on the page as in the API, before the service runs."""
    login_as(district.a.coordinator)
    page, answer = _area_both(client, api, district, name="新\x00社区")
    assert_refused_alike(page, answer, "name")


def test_a_new_person_without_a_password_is_refused_alike(client, api, login_as, district):
    """The page sent a blank password to the service ("too short"); the API calls it missing."""
    a = district.a
    login_as(a.coordinator)
    form = {"username": "new-worker", "role": "worker", "area_id": a.community.id}
    page = client.post("/coordinate/users", data={**form, "password": ""})
    answer = api.post("/users", user=a.coordinator, json=form)
    assert_refused_alike(page, answer, "password")
    assert db.session.scalar(select(User.id).where(User.username == "new-worker")) is None


def test_a_grid_of_another_street_is_forbidden_alike(client, api, login_as, district):
    """The page refused another street's grid as "not a valid choice" (422); the API answers 403."""
    a, b = district.a, district.b
    login_as(a.coordinator)
    form = {"name": "越界点", "kind": "banner", "area_id": b.grids[0].id, "lat": 31.2, "lng": 121.5}
    page = client.post("/coordinate/sites", data=form)
    answer = api.post("/sites", user=a.coordinator, json=form)
    assert page.status_code == answer.status_code == 403


def _warning_both(client, api, district, **changes):
    a = district.a
    form = {"level": "high", "area_id": a.grids[0].id, "subject_label": "王某", **changes}
    page = client.post("/coordinate/warnings", data=form)
    return page, api.post("/warnings", user=a.coordinator, json=form)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # WTForms let the NUL through to the flush guard; the schema's name field refuses it first.
        ("subject_label", "张\x00某"),
        # The page took any 24 characters as a phone number; the API's rule (digits only) wins.
        ("phone", "call me"),
    ],
)
def test_a_warnings_bad_field_is_refused_alike(client, api, login_as, district, field, value):
    login_as(district.a.coordinator)
    page, answer = _warning_both(client, api, district, **{field: value})
    assert_refused_alike(page, answer, field)
    assert db.session.scalar(select(RiskWarning.id)) is None


def _outcome_both(client, api, district, **changes):
    a = district.a
    pair = [make_warning(by=a.police, area=a.grids[0]) for _ in range(2)]
    db.session.commit()
    body = {"result": "already_defrauded", **changes}
    page = client.post(f"/worker/warnings/{pair[0].id}", data=body)
    return page, api.post(f"/warnings/{pair[1].id}/outcome", user=a.worker, json=body), pair


def test_a_loss_in_fractions_of_a_cent_on_a_warning_is_refused_alike(
    client, api, login_as, district
):
    """The page's DecimalField took 8000.125 yuan (and stored it rounded); the API refuses it."""
    login_as(district.a.worker)
    page, answer, pair = _outcome_both(client, api, district, loss_amount="8000.125")
    assert_refused_alike(page, answer, "loss_amount")
    assert [w.status for w in pair] == ["open", "open"]


def test_a_position_off_the_earth_is_refused_alike(client, api, login_as, district):
    """The page dropped a latitude past 90 and recorded the outcome without it; the API refuses it."""
    login_as(district.a.worker)
    page, answer, pair = _outcome_both(client, api, district, lat="91", lng="121.5")
    assert_refused_alike(page, answer, "lat")
    assert [w.status for w in pair] == ["open", "open"]


def _quiz_both(client, api, district, **changes):
    a = district.a
    form = {"title": "防诈问答", "audience": "residents", "area_id": a.community.id}
    page = {**form, "pass_percent": "60", "bank": ["1"], **changes}
    body = {**form, "pass_mark": 0.6, "questions": bank_questions([1]), **changes}
    return client.post("/coordinate/quizzes", data=page), api.post(
        "/quizzes", user=a.coordinator, json=body
    )


def test_a_quiz_for_another_street_is_forbidden_alike(client, api, login_as, district):
    """The quiz page answered any refusal of the service 422; it keeps the refusal's status now."""
    login_as(district.a.coordinator)
    page, answer = _quiz_both(client, api, district, area_id=district.b.community.id)
    assert page.status_code == answer.status_code == 403
    assert db.session.scalar(select(Quiz.id)) is None


def test_a_nul_in_a_quiz_title_is_refused_alike(client, api, login_as, district):
    login_as(district.a.coordinator)
    page, answer = _quiz_both(client, api, district, title="防诈\x00问答")
    assert_refused_alike(page, answer, "title")


def test_a_quiz_allowance_of_zero_is_refused_alike(client, api, login_as, district):
    """The settings page loads the API's PATCH schema (its own page schema is gone)."""
    quiz = make_quiz(area=district.a.community)
    db.session.commit()
    login_as(district.a.coordinator)
    page = client.post(f"/coordinate/quizzes/{quiz.id}", data={"address_allowance": "0"})
    answer = api.patch(
        f"/quizzes/{quiz.id}", user=district.a.coordinator, json={"address_allowance": 0}
    )
    assert_refused_alike(page, answer, "address_allowance")


def test_the_page_calls_the_service_with_what_the_schema_loaded(client, login_as, district):
    """Trimmed text and a number as a number: the schema's loading, not the form's raw data."""
    login_as(district.a.coordinator)
    form = {
        **CASE,
        "area_id": district.a.community.id,
        "loss_amount": "12.50",
        "reference": " A-1 ",
    }
    response = client.post("/dashboard/cases", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case = db.session.scalar(select(FraudCase))
    assert case.reference == "A-1" and case.loss_amount == Decimal("12.50")


def test_a_username_with_spaces_around_logs_in_on_page_and_api(client, district):
    """The login page trimmed the username and the API did not (a phone keyboard's trailing
    space was a wrong password there); both load TokenRequestSchema now, which trims it."""
    padded = {"username": f" {district.a.worker.username} ", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", json=padded).status_code == 200
    assert client.post("/login", data=padded).status_code == 302


def test_a_wrong_password_on_the_login_page_says_so_through_submit(client, district):
    page = client.post("/login", data={"username": district.a.worker.username, "password": "x"})
    assert page.status_code == 401 and "用户名或密码错误" in page.get_data(as_text=True)
    blank = client.post("/login", data={"username": "", "password": "x"})
    assert blank.status_code == 422 and "必填项缺失。" in blank.get_data(as_text=True)


def test_the_schema_rules_show_as_the_fields_html_attributes(client, login_as, district):
    """What the WTForms validators used to print (required, maxlength, min, max) comes from the schema."""
    login_as(district.a.coordinator)
    page = client.get("/coordinate/sites").get_data(as_text=True)
    name = re.search(r'<input[^>]*name="name"[^>]*>', page).group(0)
    radius = re.search(r'<input[^>]*name="radius_m"[^>]*>', page).group(0)
    address = re.search(r'<input[^>]*name="address"[^>]*>', page).group(0)
    assert "required" in name and 'maxlength="120"' in name
    assert 'min="10"' in radius and 'max="5000"' in radius
    assert "required" not in address and 'maxlength="255"' in address
    own = client.get(f"/coordinate/users/{district.a.coordinator.id}").get_data(as_text=True)
    assert "required" not in re.search(r'<input[^>]*name="password"[^>]*>', own).group(0)
