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


def test_two_sends_reach_the_insert_together_and_the_claim_decides(
    app, committing, district, monkeypatch
):
    """Both requests judge the check-in and insert it at the same moment; one claim of the
    client_id wins, the other deletes its row and answers the winner's."""
    bearer, data = make_api_token(user=district.a.worker), body(district.a.sites[0], 20)
    barrier = threading.Barrier(2, timeout=20)
    real_insert, inserts = checkin_service._insert_once, []

    def insert_when_both_arrived(checkin, *rest):
        barrier.wait()  # both have judged their check-in: now they race to insert it
        inserts.append(real_insert(checkin, *rest) is not None)
        return checkin if inserts[-1] else None

    monkeypatch.setattr(checkin_service, "_insert_once", insert_when_both_arrived)
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
