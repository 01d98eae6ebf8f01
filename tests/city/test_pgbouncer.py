"""The app through PgBouncer in transaction pooling (two server connections for every client):
log in, check in (and again with the same client_id, and from several threads at once), a
background import, and the notification sender, all keeping no state between transactions."""

from __future__ import annotations

import io
import threading
import uuid

from sqlalchemy import func, select

from app.extensions import db
from app.models import CheckIn, Household, NotificationDelivery
from tests import factories
from tests.api.checkin_helpers import body
from tests.http_recorder import Recorder
from tests.services.test_importing import csv_bytes


def _cli(app, *args: str) -> str:
    """A command as its service runs it: an app context (and a database connection) of its own."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_working_day_through_pgbouncer(on_servers, pgbouncer):
    webhook = Recorder().start()
    app = on_servers(
        pgbouncer.url(),
        DATABASE_PREPARED_STATEMENTS=False,
        IMPORT_SYNC_ROWS=2,
        NOTIFY_WEBHOOK_URL=webhook.url,
    )
    district = factories.build_district()
    a = district.a
    db.session.commit()
    api = factories.ApiClient(app.test_client())

    # Log in, by the page and for a token.
    page = app.test_client()
    login = page.post("/login", data={"username": a.worker.username, "password": "x" * 3})
    assert login.status_code == 401  # a wrong password: the form again, counted
    login = page.post(
        "/login", data={"username": a.worker.username, "password": factories.PASSWORD}
    )
    assert login.status_code == 302 and page.get("/").status_code == 200
    token = app.test_client().post(
        "/api/v1/auth/token", json={"username": a.worker.username, "password": factories.PASSWORD}
    )
    assert token.status_code == 200, token.get_json()

    # Check-ins, one retried with its client_id; then several phones at once.
    first = body(a.sites[0], 20)
    answers = [api.post("/checkins", user=a.worker, json=first) for _ in range(3)]
    assert [r.status_code for r in answers] == [201, 200, 200], [r.get_json() for r in answers]
    assert len({r.get_json()["id"] for r in answers}) == 1

    statuses: list[int] = []
    worker = {"Authorization": f"Bearer {api._tokens[a.worker.id]}"}

    def phone(bodies):
        client = app.test_client()
        for data in bodies:
            statuses.append(client.post("/api/v1/checkins", headers=worker, json=data).status_code)

    bodies = [body(a.sites[0], 20, client_id=str(uuid.uuid4())) for _ in range(36)]
    phones = [threading.Thread(target=phone, args=(bodies[i::6],)) for i in range(6)]
    for thread in phones:
        thread.start()
    for thread in phones:
        thread.join()
    assert statuses == [201] * 36
    db.session.rollback()
    assert db.session.scalar(select(func.count(CheckIn.id))) == 37

    # A background import: queued by the request, done by the worker.
    rows = [["grid", "label", "tags"]] + [[a.grids[0].id, f"{i}-1-101", ""] for i in range(5)]
    queued = api.post(
        "/households/import",
        user=a.coordinator,
        data={"file": (io.BytesIO(csv_bytes(rows)), "households.csv")},
        content_type="multipart/form-data",
    )
    assert queued.status_code == 202, queued.get_json()
    _cli(app, "worker", "--once")
    job = api.get(f"/jobs/{queued.get_json()['job_id']}", user=a.coordinator).get_json()
    assert job["status"] == "done", job
    db.session.rollback()
    assert db.session.scalar(select(func.count(Household.id))) == 5

    # A warning, told to the grid's worker by the sender (claimed with FOR UPDATE SKIP LOCKED).
    warning = api.post(
        "/warnings",
        user=a.police,
        json={"level": "high", "area_id": a.grids[0].id, "subject_label": "王某"},
    )
    assert warning.status_code == 201, warning.get_json()
    for _ in range(3):  # the same claims again: nothing is sent twice
        _cli(app, "send-notifications", "--once")
    assert len(webhook.received) == 1
    assert webhook.received[0].json["warning_id"] == warning.get_json()["id"]
    db.session.rollback()
    assert db.session.scalar(select(NotificationDelivery.status)) == "sent"
    assert "prepared statement" not in pgbouncer.log()
