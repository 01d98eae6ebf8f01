"""Exactly once under a real race: two connections post the same client_id at the same moment."""

from __future__ import annotations

import sqlite3
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


def _check_in(district):
    return checkin_service, "record_checkin", "/api/v1/checkins", body(district.a.sites[0], 20)


def _visit(district):
    from app.services import visits as visit_service
    from tests.api.test_visits_api import body as visit_body
    from tests.factories import make_household

    household = make_household(area=district.a.grids[0])
    db.session.commit()
    return visit_service, "record_visit", "/api/v1/visits", visit_body(household)


@pytest.mark.parametrize("writer", [_check_in, _visit], ids=["check-in", "visit"])
def test_on_sqlite_the_write_lock_is_let_go_before_the_answer_is_made(
    app, committing, district, monkeypatch, writer
):
    """SQLite takes one writer at a time: a check-in or a visit holds the database's write lock
    for its inserts alone, not while its answer is serialised and the request ends (another
    worker process waits for the lock meanwhile)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    service, name, path, data = writer(district)
    real_record, free = getattr(service, name), []

    def record_then_try_to_write(actor, data):
        answer = real_record(actor, data)
        other = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once while another writer holds the lock
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError as error:
            free.append(str(error))
        finally:
            other.close()
        return answer

    monkeypatch.setattr(service, name, record_then_try_to_write)
    bearer = make_api_token(user=district.a.worker)
    with app.test_client() as client:
        response = client.post(path, json=data, headers={"Authorization": f"Bearer {bearer}"})
    assert response.status_code == 201, response.get_json()
    assert free == [True]
