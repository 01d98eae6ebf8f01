"""Hostile input on every endpoint: bodies nested too deeply, page numbers past any list, and
values no database column can hold. Always a 4xx naming what was wrong, never a 500."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_household

DEEP_ARRAYS = b"[" * 100_000 + b"]" * 100_000  # 200 kB
DEEP_OBJECTS = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
# Deep enough to stop the parser, however deep the stack already is when it runs.
DEEPISH = b"[" * 5_000 + b"]" * 5_000


def field_errors(response) -> dict:
    return (response.get_json() or {}).get("errors", {}).get("json", {})


def _json_posts(district):
    """(method, url, user) for JSON calls of every kind: login, create, update, action, import-free."""
    d = district
    return [
        ("POST", "/auth/token", None),
        ("POST", "/areas", d.admin),
        ("PATCH", f"/areas/{d.a.grids[0].id}", d.admin),
        ("POST", "/users", d.admin),
        ("PATCH", f"/sites/{d.a.sites[0].id}", d.a.coordinator),
        ("POST", "/checkins", d.a.worker),
        ("POST", "/visits", d.a.worker),
        ("POST", "/households", d.a.coordinator),
        ("POST", "/warnings", d.a.coordinator),
        ("POST", "/tasks", d.a.coordinator),
        ("POST", "/tasks/bulk-assign", d.a.coordinator),
        ("POST", "/campaigns", d.a.coordinator),
        ("POST", "/cases", d.a.coordinator),
    ]


@pytest.mark.parametrize(
    "body", [DEEP_ARRAYS, DEEP_OBJECTS, DEEPISH], ids=["arrays", "objects", "5000"]
)
def test_json_nested_too_deeply_is_400_naming_the_body(api, district, body):
    wrong = []
    for method, url, user in _json_posts(district):
        response = api._call(method, url, user, data=body, content_type="application/json")
        named = field_errors(response).get("_schema")
        if response.status_code != 400 or not response.is_json or not named:
            wrong.append((method, url, response.status_code, response.get_data(as_text=True)[:200]))
    assert wrong == []


def test_every_json_operation_of_the_document_refuses_a_deep_body(app, api, district, monkeypatch):
    """Every operation whose documented body is JSON: 400 naming the body (or 403/404 when the
    object in its path is checked first, as authorization comes before validation)."""
    from app.extensions import api as smorest_api

    # The SMS login calls exist only with a gateway (the body is refused before any SMS).
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", "http://127.0.0.1:9/sms")

    with app.test_request_context():
        spec = smorest_api.spec.to_dict()
    ids = {
        "site_id": district.a.sites[0].id,
        "area_id": district.a.grids[0].id,
        "user_id": district.a.worker.id,
    }
    wrong, checked = [], 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "application/json" not in operation.get(
                "requestBody", {}
            ).get("content", {}):
                continue
            url = path.removeprefix("/api/v1")
            for name, value in ids.items():
                url = url.replace("{" + name + "}", str(value))
            url = re.sub(r"\{[a-z_]+\}", "1", url)
            response = api._call(
                method.upper(),
                url,
                district.admin,
                data=DEEP_ARRAYS,
                content_type="application/json",
            )
            checked += 1
            named = response.status_code == 400 and field_errors(response).get("_schema")
            if not (named or ("{" in path and response.status_code in (403, 404))):
                wrong.append((method, path, response.status_code))
    assert checked >= 20 and wrong == []


def test_json_nested_just_shallow_enough_to_parse_is_never_a_500(api, district):
    for depth in (500, 900, 990):
        body = b"[" * depth + b"]" * depth
        for method, url, user in _json_posts(district):
            response = api._call(method, url, user, data=body, content_type="application/json")
            assert 400 <= response.status_code < 500, (
                depth,
                url,
                response.get_data(as_text=True)[:200],
            )
            assert response.is_json


def test_phone_page_posting_a_deep_body_with_its_session_is_400(client, district, login_as):
    """The check-in page posts JSON to the API with its session cookie: the same answer."""
    login_as(district.a.worker)
    response = client.post("/api/v1/checkins", data=DEEP_ARRAYS, content_type="application/json")
    assert response.status_code == 400 and field_errors(response).get("_schema")


# ---------------------------------------------------------------- page numbers

BAD_PAGES = [
    "999999999999999999999",
    "100001",
    "0",
    "-1",
    "-99999999999999999999",
    "abc",
    "1.5",
    "1e3",
    "%00",
]
BAD_PER_PAGES = ["0", "-5", "201", "999999999999999999999", "abc", "2.5"]


def _api_lists(app) -> list[str]:
    """Every GET operation of the OpenAPI document that takes `page`."""
    from app.extensions import api

    with app.test_request_context():
        spec = api.spec.to_dict()
    found = []
    for path, operations in spec["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if "{" not in path and any(p["name"] == "page" and p["in"] == "query" for p in parameters):
            found.append(path.removeprefix("/api/v1"))
    return found


def test_every_api_list_refuses_a_page_out_of_range_naming_it(app, api, district):
    lists = _api_lists(app)
    assert {
        "/areas",
        "/users",
        "/sites",
        "/checkins",
        "/households",
        "/visits",
        "/warnings",
        "/tasks",
        "/campaigns",
        "/cases",
    } <= set(lists)
    wrong = []
    for url in lists:
        for name, values in (("page", BAD_PAGES), ("per_page", BAD_PER_PAGES)):
            for value in values:
                response = api.get(f"{url}?{name}={value}", user=district.admin)
                if response.status_code != 422 or name not in field_errors(response):
                    wrong.append((url, name, value, response.status_code))
        last = api.get(f"{url}?page=100000&per_page=200", user=district.admin)
        if last.status_code != 200 or last.get_json()["items"] != []:
            wrong.append((url, "last page", last.status_code))
    assert wrong == []


@pytest.mark.parametrize("url", ["/coordinate/households", "/coordinate/checkins"])
def test_list_pages_refuse_a_page_out_of_range_naming_it(client, district, login_as, url):
    make_household(area=district.a.grids[0])
    login_as(district.a.coordinator)
    wrong = []
    for name, values in (("page", BAD_PAGES), ("per_page", BAD_PER_PAGES)):
        for value in values:
            response = client.get(f"{url}?{name}={value}")
            if response.status_code != 422 or f'data-field="{name}"' not in response.get_data(
                as_text=True
            ):
                wrong.append((name, value, response.status_code))
            as_json = client.get(f"{url}?{name}={value}", headers={"Accept": "application/json"})
            if as_json.status_code >= 500:
                wrong.append((name, value, "json", as_json.status_code))
    assert wrong == []
    assert client.get(f"{url}?page=2").status_code == 200


# ---------------------------------------------------------------- values no column can hold


def test_nul_or_lone_surrogate_in_a_checkin_note_is_422_naming_it(api, district):
    from tests.api.checkin_helpers import body

    for note in ("a\x00b", "\ud800", "x\udfffy"):
        response = api.post(
            "/checkins", user=district.a.worker, json=body(district.a.sites[0], note=note)
        )
        assert response.status_code == 422 and "note" in field_errors(response), (
            note,
            response.get_json(),
        )
    # The same as raw JSON escapes, as a phone would send them.
    raw = '{"note": "\\ud83d", "token": "x"}'
    response = api.post(
        "/checkins", user=district.a.worker, data=raw, content_type="application/json"
    )
    assert response.status_code in (404, 422) and response.status_code < 500


@pytest.mark.parametrize(
    ("url", "form", "field"),
    [
        (
            "/coordinate/campaigns",
            lambda d: {
                "title": "反诈\x00宣传",
                "kind": "poster",
                "area_id": d.a.street.id,
                "starts_on": "2026-01-01",
                "ends_on": "2026-01-31",
            },
            "title",
        ),
        (
            "/coordinate/warnings",
            lambda d: {"level": "high", "area_id": d.a.grids[0].id, "subject_label": "张\x00某"},
            "subject_label",
        ),
    ],
)
def test_page_forms_refuse_a_nul_naming_the_field(client, district, login_as, url, form, field):
    """Page forms validate with WTForms, which lets a NUL through: the last check before the
    database refuses it, whatever writer carries it."""
    login_as(district.a.coordinator)
    response = client.post(url, data=form(district))
    assert 400 <= response.status_code < 500, response.status_code
    assert f'data-field="{field}"' in response.get_data(as_text=True) or field in response.get_data(
        as_text=True
    )


def test_the_flush_guard_names_the_column_whatever_the_writer(district):
    """Services that write without a schema (commands, imports, pages) meet the same rule."""
    from decimal import Decimal

    from app.errors import Invalid
    from app.extensions import db
    from app.models import FraudCase, Household

    d = district
    cases = [
        (Household(area_id=d.a.grids[0].id, label="1-1-\x00", tags=[]), "label"),
        (Household(area_id=d.a.grids[0].id, label="x" * 121, tags=[]), "label"),
        (Household(area_id=d.a.grids[0].id, label="1-1-1", tags=["elderly\x00"]), "tags"),
        (Household(area_id=d.a.grids[0].id, label="\udc00", tags=[]), "label"),
        (
            FraudCase(
                area_id=d.a.community.id,
                occurred_on=__import__("datetime").date(2026, 1, 1),
                fraud_type="other",
                loss_amount=Decimal("1e13"),
            ),
            "loss_amount",
        ),
    ]
    for row, column in cases:
        db.session.add(row)
        with pytest.raises(Invalid) as caught:
            db.session.flush()
        assert column in caught.value.errors, (column, caught.value.errors)
        db.session.rollback()
    # A stored row: only what changes is checked, and a bad change is refused.
    stored = make_household(area=d.a.grids[0])
    db.session.commit()
    stored.label = "1-1-\x00"
    with pytest.raises(Invalid) as caught:
        db.session.flush()
    assert list(caught.value.errors) == ["label"]
    db.session.rollback()


# ---------------------------------------------------------------- query strings of every page and list

QUERY_KEYS = ["page", "per_page", "area_id", "from", "to", "date", "q", "username"]
QUERY_VALUES = [
    "999999999999999999999",
    "-5",
    "abc",
    "%00",
    "%ED%A0%80",
    "9999-12-31",
    "0001-01-01",
]


def test_no_query_string_makes_any_page_or_list_answer_500(app, client, district, login_as):
    """Huge, negative and non-numeric numbers, NULs, broken UTF-8 and dates at the ends of the
    calendar (date arithmetic overflowed there), on every GET route without ids in its path."""
    login_as(district.admin)
    routes = sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and not r.arguments and not r.rule.startswith("/static")
    )
    wrong = []
    for route in routes:
        for key in QUERY_KEYS:
            for value in QUERY_VALUES:
                response = client.get(route, query_string=f"{key}={value}")
                if response.status_code >= 500:
                    wrong.append((route, key, value, response.status_code))
    assert wrong == []


def test_imports_refuse_a_nul_naming_the_column(api, district):
    """Imports insert with Core (no flush): the same last check runs before their bulk insert.
    A NUL in a case's reference answered 500 on PostgreSQL."""
    import io

    a = district.a
    files = [
        (
            "/cases/import",
            a.coordinator,
            "reference",
            f"community,occurred_on,fraud_type,loss_amount,reference\n{a.community.id},2026-03-05,shopping,100,J\x001\n",
        ),
        (
            "/warnings/import",
            a.police,
            "subject_label",
            f"level,grid,subject_label,phone\nhigh,{a.grids[0].id},王\x00某,13800131234\n",
        ),
    ]
    for url, user, column, text in files:
        response = api.post(
            url,
            user=user,
            data={"file": (io.BytesIO(text.encode()), "rows.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, (url, response.get_data(as_text=True)[:200])
        assert column in field_errors(response) or column in response.get_data(as_text=True), url


def test_searching_with_a_nul_is_never_a_500(client, api, district):
    """PostgreSQL refuses a NUL in any query parameter, a search as much as a write: the login page,
    the token call and a search answered 500 there."""
    page = client.post("/login", data={"username": "ad\x00min", "password": "x"})
    assert 400 <= page.status_code < 500 or page.status_code == 200, page.status_code
    token = api.post("/auth/token", json={"username": "ad\x00min", "password": "x"})
    assert token.status_code in (401, 422), token.get_json()
    found = api.get("/households?q=1%00", user=district.admin)
    assert found.status_code in (200, 422), found.get_json()
