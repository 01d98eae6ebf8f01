"""Every text field of check-ins and visits, through a valid QR token, with hostile strings: never
a 5xx; a 4xx names the field, or the value is stored and answered intact (and read back intact)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.api.checkin_helpers import body as checkin_body
from tests.factories import make_household

HOSTILE = [
    "\x00",
    "note\x00with a NUL",
    "\ud800",
    "\udfff tail",
    "\ud83d high alone",  # no engine stores these
    "x" * 100_000,
    "长" * 100_000,  # 100 kB and 300 kB
    "\u202e\u0644\u0627 RTL override \u202c",
    "zero\u200bwidth\u200d\ufeff",  # direction and invisible marks
    "'; DROP TABLE checkins; --",
    "1' OR '1'='1",
    "\\x00\\'%_",  # SQL-ish
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",  # HTML and templates
    "😀🇨🇳👨‍👩‍👧",
    "e\u0301\u0301\u0301",
    "\t\r\n ",
    "",  # emoji, combining marks, blanks
]
CHECKIN_TEXT = ["note", "token", "client_id", "captured_at", "coord_system", "site_condition"]
VISIT_TEXT = ["client_id", "outcome", "captured_at", "coord_system"]


def field_errors(response) -> dict:
    return (response.get_json() or {}).get("errors", {}).get("json", {})


def visit_body(household, **over) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "household_id": household.id,
        "outcome": "reached",
        "lat": 29.9,
        "lng": 121.55,
        "accuracy_m": 10.0,
        "captured_at": datetime.now(UTC).isoformat(),
        **over,
    }


def _judge(response, field: str, value: str, read_back) -> str | None:
    """None when the answer is acceptable, else what was wrong."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    if 400 <= response.status_code < 500:
        return (
            None if field in field_errors(response) else f"{response.status_code} without {field}"
        )
    stored = response.get_json().get(field)
    if field in ("note",) and stored != value:
        return f"answered {stored!r:.40}"
    again = read_back(response.get_json()["id"])
    if again.status_code != 200 or again.get_json().get(field) != stored:
        return "read back differently"
    return None


def test_checkin_text_fields_with_hostile_strings(api, district):
    site, worker = district.a.sites[0], district.a.worker
    wrong = []
    for field in CHECKIN_TEXT:
        for value in HOSTILE:
            response = api.post("/checkins", user=worker, json=checkin_body(site, **{field: value}))
            problem = _judge(
                response, field, value, lambda i: api.get(f"/checkins/{i}", user=worker)
            )
            if problem:
                wrong.append((field, repr(value)[:30], problem))
    assert wrong == []


def test_visit_text_fields_with_hostile_strings(api, district):
    household, worker = make_household(area=district.a.grids[0]), district.a.worker
    wrong = []
    for field in VISIT_TEXT:
        for value in HOSTILE:
            response = api.post(
                "/visits", user=worker, json=visit_body(household, **{field: value})
            )
            problem = _judge(response, field, value, lambda i: api.get(f"/visits/{i}", user=worker))
            if problem:
                wrong.append((field, repr(value)[:30], problem))
    assert wrong == []


def test_a_note_in_any_script_is_stored_and_read_back_intact(api, district):
    site, worker = district.a.sites[0], district.a.worker
    for note in (
        "\u202eRTL\u202c",
        "zero\u200bwidth",
        "'; DROP TABLE checkins; --",
        "<script>x</script>",
        "😀🇨🇳",
        "e\u0301",
        "长" * 1000,
    ):
        response = api.post("/checkins", user=worker, json=checkin_body(site, note=note))
        assert response.status_code == 201 and response.get_json()["note"] == note
        again = api.get(f"/checkins/{response.get_json()['id']}", user=worker).get_json()
        assert again["note"] == note


@pytest.mark.parametrize("resource", ["checkins", "visits"])
def test_patch_text_fields_with_hostile_strings(api, district, resource):
    """The author's later changes (PATCH /checkins/ID, /visits/ID) meet the same rules."""
    worker = district.a.worker
    if resource == "checkins":
        created = api.post(
            "/checkins", user=worker, json=checkin_body(district.a.sites[0])
        ).get_json()
    else:
        created = api.post(
            "/visits", user=worker, json=visit_body(make_household(area=district.a.grids[0]))
        ).get_json()
    wrong = []
    for field in ("note", "site_condition"):
        for value in HOSTILE:
            response = api.patch(f"/{resource}/{created['id']}", user=worker, json={field: value})
            problem = _judge(
                response, field, value, lambda i: api.get(f"/{resource}/{i}", user=worker)
            )
            if problem:
                wrong.append((field, repr(value)[:30], problem))
    assert wrong == []
