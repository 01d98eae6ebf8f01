"""JSON errors answer in the reader's language: their own choice, then Accept-Language, then Chinese."""

from __future__ import annotations

import uuid

from app.extensions import db
from tests.api.checkin_helpers import body as checkin_body
from tests.factories import make_household, make_task
from tests.services.test_visits import NEAR

EN = {"Accept-Language": "en-US,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def both(api, method, url, user, **kwargs):
    """The same request, answered without a language header (Chinese) and for an English client."""
    call = getattr(api, method)
    return call(url, user=user, **kwargs).get_json(), call(
        url, user=user, headers=EN, **kwargs
    ).get_json()


def test_marshmallow_messages_in_chinese_by_default_and_english_on_request(api, district):
    data = {
        "token": "x",
        "lat": "north",
        "client_id": str(uuid.uuid4()),
    }  # lng and captured_at missing
    zh, en = both(api, "post", "/checkins", district.a.worker, json=data)
    assert zh["message"] == "部分字段填写有误。" and en["message"] == "Some fields are not valid."
    assert zh["errors"]["json"]["lat"] == ["不是有效的数字。"]
    assert zh["errors"]["json"]["lng"] == ["必填项缺失。"]
    assert en["errors"]["json"]["lat"] == ["Not a valid number."]
    assert en["errors"]["json"]["lng"] == ["Missing data for required field."]


def test_validator_messages_with_values_are_translated(api, district):
    zh, en = both(api, "get", "/tasks", district.a.coordinator, query_string={"per_page": 0})
    assert zh["errors"]["json"]["per_page"] == ["必须大于或等于 1 且小于或等于 200。"]
    assert en["errors"]["json"]["per_page"] == [
        "Must be greater than or equal to 1 and less than or equal to 200."
    ]


def test_a_domain_error_with_a_value_in_both_languages(api, district):
    query = {"from": "2025-01-01", "to": "2026-12-31"}
    zh, en = both(api, "get", "/coverage", district.admin, query_string=query)
    assert zh["message"] == "时间范围太长" and zh["errors"]["json"]["to"] == [
        "结束日期最多在开始日期后 366 天"
    ]
    assert en["message"] == "the period is too long" and en["errors"]["json"]["to"] == [
        "at most 366 days after from"
    ]


def test_a_refused_check_in_reads_in_chinese(api, district):
    site = district.a.sites[0]
    data = checkin_body(site)
    site.active = False
    db.session.commit()
    zh, en = both(api, "post", "/checkins", district.a.worker, json=data)
    assert zh["message"] == "该点位已停用。" and zh["errors"]["json"]["token"] == ["点位已停用"]
    assert en["message"] == "This site is no longer in use."


def test_a_refused_visit_reads_in_chinese(api, district):
    other = make_household(area=district.b.grids[0])
    data = {
        "client_id": str(uuid.uuid4()),
        "household_id": other.id,
        "outcome": "reached",
        "lat": NEAR[0],
        "lng": NEAR[1],
        "accuracy_m": 15,
        "captured_at": "2026-11-03T10:15:00+08:00",
    }
    zh, en = both(api, "post", "/visits", district.a.worker, json=data)
    assert zh["errors"]["json"]["household_id"] == ["不在您负责的网格内"]
    assert en["errors"]["json"]["household_id"] == ["not in your grids"]


def test_the_users_own_choice_comes_before_accept_language(api, district):
    district.a.coordinator.locale = "en"
    db.session.commit()
    answer = api.get(
        "/coverage",
        user=district.a.coordinator,
        headers=ZH,
        query_string={"from": "2026-03-05", "to": "2026-03-01"},
    ).get_json()
    assert answer["errors"]["json"]["from"] == ["must not be after to"]


def test_the_session_choice_comes_before_accept_language(client, login_as, district):
    login_as(district.a.coordinator)
    client.get("/lang/en")  # the language switch: a cookie
    answer = client.get("/api/v1/coverage?from=2026-03-05&to=2026-03-01", headers=ZH).get_json()
    assert answer["errors"]["json"]["from"] == ["must not be after to"]


def test_http_errors_and_bad_json_bodies(api, client, district):
    assert api.get("/no-such-call", user=district.admin).get_json()["message"] == "未找到。"
    assert (
        api.get("/no-such-call", user=district.admin, headers=EN).get_json()["message"]
        == "Not found."
    )
    assert api.get("/me").get_json()["message"] == "需要有效的令牌或登录会话"
    broken = api.post(
        "/areas", user=district.admin, data="{", content_type="application/json"
    ).get_json()
    assert broken["errors"]["json"]["_schema"] == ["请求体不是有效的 JSON。"]


def test_pages_ignore_accept_language(client):
    page = client.get("/login", headers=EN).get_data(as_text=True)
    assert "用户名" in page and "Username" not in page


def test_codes_inside_messages_are_shown_as_words(api, district):
    task = make_task(area=district.a.grids[0], status="cancelled")
    db.session.commit()
    zh, en = both(
        api, "patch", f"/tasks/{task.id}", district.a.coordinator, json={"status": "done"}
    )
    assert zh["errors"]["json"]["status"] == ["不能从 已取消 改为 已完成"]
    assert en["errors"]["json"]["status"] == ["cannot go from Cancelled to Done"]
