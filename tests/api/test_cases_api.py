"""POST/GET /cases and POST /cases/import."""

import io
import uuid

import pytest
from openpyxl import Workbook

from app.extensions import db
from app.models import FraudCase
from tests.factories import make_household

GOOD = {
    "occurred_on": "2026-03-05",
    "fraud_type": "order_brushing",
    "loss_amount": "12000.50",
    "victim_age_band": "18_30",
}


def body(district, **fields):
    return {**GOOD, "area_id": district.a.community.id, **fields}


def test_coordinator_records_a_case(api, district):
    household = make_household(area=district.a.grids[1])
    response = api.post(
        "/cases", user=district.a.coordinator, json=body(district, household_id=household.id)
    )
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["loss_amount"] == "12000.50" and case["area_id"] == district.a.community.id
    assert case["household_id"] == household.id and case["fraud_type"] == "order_brushing"
    listed = api.get("/cases", user=district.a.leader).get_json()
    assert [item["id"] for item in listed["items"]] == [case["id"]] and listed["total"] == 1


def test_same_client_id_gives_the_same_case(api, district):
    client_id = str(uuid.uuid4())
    first = api.post(
        "/cases", user=district.a.coordinator, json=body(district, client_id=client_id)
    )
    again = api.post(
        "/cases", user=district.a.coordinator, json=body(district, client_id=client_id)
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.query(FraudCase).count() == 1


def test_cases_are_scoped(api, district):
    api.post("/cases", user=district.a.coordinator, json=body(district))
    assert api.get("/cases", user=district.b.leader).get_json()["total"] == 0
    assert api.get("/cases", user=district.leader).get_json()["total"] == 1
    case_id = api.get("/cases", user=district.leader).get_json()["items"][0]["id"]
    assert api.get(f"/cases/{case_id}", user=district.b.leader).status_code == 404
    assert api.get(f"/cases/{case_id}", user=district.a.leader).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("worker", 403)])
def test_only_managers_record_cases(api, district, role, status):
    user = getattr(district.a, role)
    assert api.post("/cases", user=user, json=body(district)).status_code == status


def test_another_streets_community_is_refused_before_the_body(api, district):
    response = api.post(
        "/cases",
        user=district.a.coordinator,
        json={"area_id": district.b.community.id, "loss_amount": "-1"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"loss_amount": "-1"}, "loss_amount"),
        ({"loss_amount": "1.005"}, "loss_amount"),
        ({"loss_amount": "lots"}, "loss_amount"),
        ({"fraud_type": "romance"}, "fraud_type"),
        ({"occurred_on": "2026-02-30"}, "occurred_on"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"victim_age_band": "old"}, "victim_age_band"),
        ({"area_id": "grid"}, "area_id"),
    ],
)
def test_bad_fields_are_named(api, district, fields, field):
    response = api.post("/cases", user=district.a.coordinator, json=body(district, **fields))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_area_must_be_a_community(api, district):
    response = api.post(
        "/cases", user=district.a.coordinator, json=body(district, area_id=district.a.grids[0].id)
    )
    assert response.status_code == 422 and "area_id" in response.get_json()["errors"]["json"]


def test_household_must_be_in_the_community(api, district):
    elsewhere = make_household(area=district.b.grids[0])
    response = api.post(
        "/cases", user=district.admin, json=body(district, household_id=elsewhere.id)
    )
    assert response.status_code == 422 and "household_id" in response.get_json()["errors"]["json"]


def test_duplicate_case_number_conflicts(api, district):
    assert (
        api.post(
            "/cases", user=district.a.coordinator, json=body(district, reference="A-1")
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/cases", user=district.a.coordinator, json=body(district, reference="A-1")
        ).status_code
        == 409
    )


def test_list_filters(api, district):
    api.post("/cases", user=district.admin, json=body(district, occurred_on="2026-03-01"))
    api.post(
        "/cases",
        user=district.admin,
        json=body(district, occurred_on="2026-03-20", fraud_type="shopping"),
    )
    api.post(
        "/cases", user=district.admin, json={**body(district), "area_id": district.b.community.id}
    )
    assert api.get("/cases?from=2026-03-10", user=district.admin).get_json()["total"] == 1
    assert api.get("/cases?fraud_type=shopping", user=district.admin).get_json()["total"] == 1
    assert (
        api.get(f"/cases?area_id={district.b.street.id}", user=district.admin).get_json()["total"]
        == 1
    )


def upload(api, user, data: bytes, name="cases.csv"):
    return api.post(
        "/cases/import",
        user=user,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_csv_with_chinese_headers(api, district):
    household = make_household(area=district.a.grids[0], label="3-2-501")
    csv = (
        "社区,发案日期,诈骗类型,损失金额,年龄段,住户,案件编号\n"
        f'{district.a.community.name},2026/3/5,刷单,"12,000.50",18-30,3-2-501,J-1\n'
        f"{district.a.community.id},2026年3月6日,冒充公检法,300元,60岁以上,,J-2\n"
    ).encode("utf-8-sig")
    response = upload(api, district.a.coordinator, csv)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"created": 2, "errors": [], "error_count": 0}
    cases = db.session.query(FraudCase).order_by(FraudCase.reference).all()
    assert [c.fraud_type for c in cases] == ["order_brushing", "impersonating_police"]
    assert cases[0].household_id == household.id and str(cases[0].loss_amount) == "12000.50"
    assert cases[1].victim_age_band == "over_60"
    again = upload(api, district.a.coordinator, csv)
    assert again.status_code == 422 and db.session.query(FraudCase).count() == 2


def test_import_is_all_or_nothing(api, district):
    csv = (
        "community,occurred_on,fraud_type,loss_amount\n"
        f"{district.a.community.id},2026-03-05,shopping,100\n"
        f"{district.b.community.id},2026-03-05,shopping,100\n"
        f"{district.a.community.id},someday,romance,-5\n"
    ).encode()
    response = upload(api, district.a.coordinator, csv)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {e["row"] for e in errors} == {3, 4}
    # Row messages in the reader's language; another street's community reads as unknown.
    assert f"未知社区 '{district.b.community.id}'" in [e["message"] for e in errors]
    assert not any("辖区" in e["message"] for e in errors)
    assert db.session.query(FraudCase).count() == 0


def test_import_xlsx(api, district):
    book = Workbook()
    sheet = book.active
    sheet.append(["社区", "日期", "类型", "损失"])
    sheet.append([district.a.community.id, "2026-03-05", "杀猪盘", 5000])
    out = io.BytesIO()
    book.save(out)
    response = upload(api, district.admin, out.getvalue(), "cases.xlsx")
    assert response.status_code == 201 and response.get_json()["created"] == 1


def test_import_needs_a_manager(api, district):
    assert upload(api, district.a.leader, b"community\n").status_code == 403
