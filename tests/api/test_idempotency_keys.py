"""client_id is kept unique by idempotency_keys, on both engines: a send whose key is stored is
answered with the record the key names, another person's key is a conflict, and every new check-in
or visit stores its key with it."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import IdempotencyKey
from tests.api.checkin_helpers import body
from tests.factories import make_checkin, make_household, make_idempotency_key, make_visit
from tests.services.test_visits import NEAR


def _visit_body(household, client_id):
    return {
        "client_id": client_id,
        "household_id": household.id,
        "outcome": "reached",
        "lat": NEAR[0],
        "lng": NEAR[1],
        "captured_at": "2026-11-03T10:15:00+08:00",
    }


def test_a_stored_key_answers_its_record_and_refuses_another_person(api, district):
    worker, site = district.a.worker, district.a.sites[0]
    household = make_household(area=district.a.grids[0])
    checkin = make_checkin(user=worker, site=site)
    visit = make_visit(user=worker, household=household)
    make_idempotency_key(record=checkin)
    make_idempotency_key(record=visit)

    again = api.post("/checkins", user=worker, json=body(site, client_id=checkin.client_id))
    assert again.status_code == 200 and again.get_json()["id"] == checkin.id
    again = api.post("/visits", user=worker, json=_visit_body(household, visit.client_id))
    assert again.status_code == 200 and again.get_json()["id"] == visit.id

    other = district.a.police
    taken = api.post("/checkins", user=other, json=body(site, client_id=checkin.client_id))
    assert taken.status_code == 409 and "client_id" in taken.get_json()["errors"]["json"]


def test_each_new_record_stores_its_key(api, district):
    worker, site = district.a.worker, district.a.sites[0]
    household = make_household(area=district.a.grids[0])
    sent = body(site)
    made = api.post("/checkins", user=worker, json=sent).get_json()
    visit_sent = _visit_body(household, "0b9d6e7c-5f3a-4c1e-9a51-2f7d0e8c4b11")
    visit = api.post("/visits", user=worker, json=visit_sent).get_json()
    keys = db.session.execute(
        select(IdempotencyKey.kind, IdempotencyKey.client_id, IdempotencyKey.record_id)
    ).all()
    assert sorted(keys) == sorted(
        [
            ("checkin", sent["client_id"], made["id"]),
            ("visit", visit_sent["client_id"], visit["id"]),
        ]
    )
