"""The four must-checks (四必查): each opens from the data that should open it and not just below
its threshold, never twice for one trigger; listed, read with evidence and concluded by the API."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import MustCheck
from tests.factories import make_case, make_household, make_visit

DAY = date(2026, 3, 20)


@pytest.fixture
def settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "MUST_CHECK_LOSS", 50000.0)
    monkeypatch.setitem(app.config, "MUST_CHECK_COMMUNITY_CASES", 3)
    monkeypatch.setitem(app.config, "MUST_CHECK_PLACE_CASES", 2)
    monkeypatch.setitem(app.config, "MUST_CHECK_WINDOW_DAYS", 30)


def kinds() -> list[str]:
    return sorted(db.session.scalars(select(MustCheck.kind)))


def post_case(api, district, day=DAY, loss="100.00", **fields):
    body = {
        "area_id": district.a.community.id,
        "occurred_on": day.isoformat(),
        "fraud_type": "order_brushing",
        "loss_amount": loss,
        **fields,
    }
    answer = api.post("/cases", user=district.a.coordinator, json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def warning_with(api, district, result):
    a = district.a
    body = {"level": "high", "area_id": a.grids[0].id, "subject_label": "王某"}
    warning = api.post("/warnings", user=a.police, json=body).get_json()
    answer = api.post(f"/warnings/{warning['id']}/outcome", user=a.worker, json={"result": result})
    assert answer.status_code == 200, answer.get_json()
    return warning


def test_a_warning_ending_defrauded_opens_one_check(api, district, settings):
    warning_with(api, district, "dissuaded")
    assert kinds() == []
    warning = warning_with(api, district, "already_defrauded")
    check = db.session.scalar(select(MustCheck))
    assert check.kind == "defrauded" and check.warning_id == warning["id"]
    assert check.area_id == district.a.community.id
    # Corrected away and back: the same trigger, never a second check.
    url = f"/warnings/{warning['id']}/correct"
    for result in ("dissuaded", "already_defrauded"):
        api.post(url, user=district.a.coordinator, json={"result": result, "reason": "x"})
    assert kinds() == ["defrauded"]


def test_a_large_loss_opens_a_check_and_just_below_does_not(api, district, settings):
    post_case(api, district, loss="49999.99")
    assert kinds() == []
    case = post_case(api, district, day=DAY - timedelta(days=60), loss="50000.00")
    check = db.session.scalar(select(MustCheck))
    assert (check.kind, check.case_id, check.detail) == ("large_loss", case["id"], "50000.00")


def test_a_community_with_many_cases_in_30_days_opens_one_check(api, district, settings):
    post_case(api, district, day=DAY - timedelta(days=30))  # outside the 30 days of DAY
    post_case(api, district, day=DAY - timedelta(days=29))
    post_case(api, district, day=DAY)
    assert kinds() == []  # two in the window: below 3
    third = post_case(api, district, day=DAY)
    check = db.session.scalar(select(MustCheck))
    assert (check.kind, check.case_id, check.detail) == ("community_repeat", third["id"], "3")
    post_case(api, district, day=DAY + timedelta(days=1))  # the same run of cases
    assert kinds() == ["community_repeat"]
    # Another community below the threshold opens nothing.
    body = {"area_id": district.b.community.id, "occurred_on": DAY.isoformat()}
    api.post(
        "/cases",
        user=district.b.coordinator,
        json={**body, "fraud_type": "shopping", "loss_amount": "1"},
    )
    assert kinds() == ["community_repeat"]


def test_cases_at_one_place_open_a_check(api, district, settings):
    site = district.a.sites[0]
    post_case(api, district, site_id=site.id)
    post_case(api, district, day=DAY - timedelta(days=60), address="幸福小区 3幢")
    post_case(api, district, day=DAY - timedelta(days=120), address="别处")
    assert kinds() == []
    post_case(api, district, day=DAY - timedelta(days=61), address="幸福小区3幢")
    assert kinds() == ["place_repeat"]
    post_case(api, district, day=DAY - timedelta(days=2), site_id=site.id)
    assert kinds() == ["place_repeat", "place_repeat"]
    elsewhere = district.b.sites[0]
    answer = api.post(
        "/cases",
        user=district.a.coordinator,
        json={
            "area_id": district.a.community.id,
            "occurred_on": DAY.isoformat(),
            "fraud_type": "shopping",
            "loss_amount": "1",
            "site_id": elsewhere.id,
        },
    )
    assert answer.status_code == 422 and "site_id" in str(answer.get_json())


def test_an_import_opens_its_checks_once(api, district, settings):
    name = district.a.community.name
    csv = (
        "社区,发案日期,诈骗类型,损失金额,发案部位\n"
        f"{name},2026-03-01,刷单,80000,菜场\n"
        f"{name},2026-03-02,刷单,100,菜场\n"
        f"{name},2026-03-03,刷单,100,\n"
    ).encode()
    answer = api.post(
        "/cases/import",
        user=district.a.coordinator,
        data={"file": (io.BytesIO(csv), "cases.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.get_json()
    assert kinds() == ["community_repeat", "large_loss", "place_repeat"]
    assert db.session.scalar(select(func.count(MustCheck.id))) == 3


def test_checks_are_listed_read_with_evidence_and_concluded(api, district, settings):
    a = district.a
    home = make_household(area=a.grids[0], label="3-1-402")
    make_visit(user=a.worker, household=home, at=datetime(2026, 3, 15, 3, tzinfo=UTC))
    case = post_case(api, district, loss="90000", household_id=home.id)
    make_case(area=district.b.community, occurred_on=DAY, loss="1")
    listed = api.get("/checks?status=open", user=a.leader).get_json()
    assert [item["case_id"] for item in listed["items"]] == [case["id"]]
    assert api.get("/checks", user=district.b.coordinator).get_json()["total"] == 0
    check_id = listed["items"][0]["id"]
    assert api.get(f"/checks/{check_id}", user=district.b.coordinator).status_code == 404
    one = api.get(f"/checks/{check_id}", user=a.coordinator).get_json()
    assert one["evidence"]["household"]["visited"] is True
    url = f"/checks/{check_id}/conclude"
    done = {"conclusion": "入户未讲透", "responsible": "网格员张三", "follow_up": "补课一次"}
    assert api.post(url, user=a.leader, json=done).status_code == 403
    assert api.post(url, user=a.coordinator, json={"conclusion": "x"}).status_code == 422
    answer = api.post(url, user=a.coordinator, json=done)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "concluded"
    assert answer.get_json()["responsible"] == "网格员张三"
    assert api.post(url, user=a.coordinator, json=done).status_code == 409
    assert api.get("/checks?status=open", user=a.leader).get_json()["total"] == 0
