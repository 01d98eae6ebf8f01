"""At most one rectification item not closed per site, kept by the database: two 破损 check-ins
at the same moment both miss the look-up; the unique partial index lets one item in, and the
losing check-in is stored all the same."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CheckIn, Rectification
from app.services import rectifications
from tests.api.checkin_helpers import body
from tests.factories import make_api_token, make_checkin


def _not_closed(site_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Rectification)
        .where(Rectification.site_id == site_id, Rectification.status.in_(rectifications.OPEN))
    )


def test_the_database_refuses_a_second_item_not_closed(district):
    site = district.a.sites[0]
    db.session.add(Rectification(site_id=site.id, condition="damaged", status="assigned"))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Rectification(site_id=site.id, condition="covered", status="open"))
        db.session.flush()
    # closed items are history: any number of them
    for _ in range(2):
        db.session.add(Rectification(site_id=site.id, condition="missing", status="closed"))
    db.session.flush()
    assert _not_closed(site.id) == 1


def test_the_losing_insert_opens_nothing_and_keeps_the_checkin(api, district, monkeypatch):
    site, worker = district.a.sites[0], district.a.worker
    first = make_checkin(user=worker, site=site)
    first.site_condition = "damaged"
    existing = rectifications.open_for(first)
    db.session.commit()
    # as if the other sighting's item were not yet visible when this one looked
    monkeypatch.setattr(rectifications, "has_open_item", lambda site_id: False)
    response = api.post("/checkins", user=worker, json=body(site, site_condition="missing"))
    assert response.status_code == 201, response.get_json()
    assert db.session.get(CheckIn, response.get_json()["id"]) is not None
    assert _not_closed(site.id) == 1
    assert db.session.scalars(select(Rectification.id)).all() == [existing.id]


@pytest.mark.slow
def test_two_damaged_checkins_at_once_open_one_item(app, committing, district, monkeypatch):
    """On PostgreSQL the second INSERT waits for the first transaction, then hits the index."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: no two requests insert at once")
    site = district.a.sites[0]
    people = [district.a.worker, district.a.police]
    bearers = [make_api_token(user=person) for person in people]
    db.session.commit()
    site_id, data = site.id, body(site, site_condition="damaged")
    barrier = threading.Barrier(2, timeout=20)
    real = rectifications.has_open_item

    def look_after_both_arrived(site_id):
        answer = real(site_id)
        barrier.wait()  # both have looked and found nothing: now both insert
        return answer

    monkeypatch.setattr(rectifications, "has_open_item", look_after_both_arrived)

    def send(bearer):
        with app.test_client() as client:
            response = client.post(
                "/api/v1/checkins",
                json={**data, "client_id": str(uuid.uuid4())},
                headers={"Authorization": f"Bearer {bearer}"},
            )
            return response.status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(send, bearers))
    assert statuses == [201, 201]
    db.session.remove()
    assert _not_closed(site_id) == 1
    damaged = select(func.count()).where(
        CheckIn.site_id == site_id, CheckIn.site_condition == "damaged"
    )
    assert db.session.scalar(damaged) == 2
