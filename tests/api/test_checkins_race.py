"""Exactly once under a real race: two connections post the same client_id at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from app.models import CheckIn
from app.services import checkins as checkin_service
from tests.api.checkin_helpers import body
from tests.factories import make_api_token

pytestmark = pytest.mark.slow


def _post_from_threads(app, bearer: str, data: dict, count: int):
    """POST the same body from `count` threads, each with its own app context and connection."""

    def send(_):
        with app.test_client() as client:
            response = client.post(
                "/api/v1/checkins", json=data, headers={"Authorization": f"Bearer {bearer}"}
            )
            return response.status_code, response.get_json()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def _rows(client_id: str) -> int:
    db.session.remove()
    return db.session.scalar(
        db.select(db.func.count()).select_from(CheckIn).where(CheckIn.client_id == client_id)
    )


def test_both_pass_the_lookup_then_the_unique_constraint_decides(
    app, committing, district, monkeypatch
):
    """Both requests miss the earlier-send lookup; one insert wins, the other answers the winner's row."""
    bearer, data = make_api_token(user=district.a.worker), body(district.a.sites[0], 20)
    barrier, seen = threading.Barrier(2, timeout=20), threading.local()
    real_lookup = checkin_service._by_client_id

    def lookup_after_both_arrived(actor, client_id):
        if not getattr(seen, "first", False):
            seen.first = True
            barrier.wait()  # both requests have found nothing: now they race to insert
            return None
        return real_lookup(actor, client_id)

    real_insert, inserts = checkin_service._insert_once, []

    def recording_insert(checkin, *rest):
        inserts.append(real_insert(checkin, *rest) is not None)
        return checkin if inserts[-1] else None

    monkeypatch.setattr(checkin_service, "_by_client_id", lookup_after_both_arrived)
    monkeypatch.setattr(checkin_service, "_insert_once", recording_insert)
    results = _post_from_threads(app, bearer, data, 2)
    assert sorted(status for status, _ in results) == [200, 201], results
    assert sorted(inserts) == [False, True]  # the loser found the key taken (its row deleted)
    assert results[0][1]["id"] == results[1][1]["id"]
    assert _rows(data["client_id"]) == 1


def test_many_identical_sends_store_one_row(app, committing, district):
    bearer, data = make_api_token(user=district.a.worker), body(district.a.sites[0], 20)
    results = _post_from_threads(app, bearer, data, 8)
    assert [status for status, _ in results].count(201) == 1, results
    assert {status for status, _ in results} <= {200, 201}
    assert len({answer["id"] for _, answer in results}) == 1
    assert _rows(data["client_id"]) == 1
