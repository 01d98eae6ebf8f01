"""DATABASE_REPLICA_URL: dashboards and reports read through a real streaming replica, writes and
the reads that must see them go to the primary, /readyz reports the replica and its lag."""

from __future__ import annotations

from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent, CheckIn, User
from app.replica import replica_reads
from config import database_url
from tests import factories
from tests.api.checkin_helpers import body
from tests.city.conftest import StatementLog
from tests.city.servers import DATABASE

SELECTS = ("SELECT", "WITH")


def _city(on_servers, primary, replica, replica_url: str | None = None):
    app = on_servers(
        primary.url(),
        SQLALCHEMY_BINDS={"replica": database_url(replica_url or replica.url(), "")},
    )
    return app, factories.ApiClient(app.test_client())


def _coverage(api, leader) -> dict:
    response = api.get("/coverage", user=leader)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_session_reads_the_standby_only_inside_replica_reads(on_servers, primary_and_replica):
    primary, replica = primary_and_replica
    _city(on_servers, primary, replica)
    recovery = text("SELECT pg_is_in_recovery()")
    assert db.session.scalar(recovery) is False
    with replica_reads():
        assert db.session.scalar(recovery) is True
        # A locking read is a write's first step: the primary's (a standby refuses FOR UPDATE).
        db.session.execute(select(User.id).with_for_update()).all()
    db.session.rollback()


def test_dashboards_read_the_replica_and_writes_go_to_the_primary(on_servers, primary_and_replica):
    primary, replica = primary_and_replica
    app, api = _city(on_servers, primary, replica)
    district = factories.build_district()
    leader, worker, site = district.leader, district.a.worker, district.a.sites[0]
    api.get("/coverage", user=leader)
    api.get("/checkins", user=worker)
    db.session.commit()
    replica.wait_for_replay(primary)
    before = _coverage(api, leader)
    assert before["sites_total"] == 4 and before["sites_visited"] == 0

    replica.psql(DATABASE, "SELECT pg_wal_replay_pause()")
    try:
        log = StatementLog()
        checkin = api.post("/checkins", user=worker, json=body(site, 20))
        assert checkin.status_code == 201, checkin.get_json()
        assert log.lines["replica"] == []  # the write and its reads: all on the primary
        # (on PostgreSQL inside the statement that claims its client_id: WITH claim AS ...)
        assert any("INSERT INTO checkins" in line for line in log.lines[None])

        # Read-your-writes: the worker's own list comes from the primary.
        mine = api.get("/checkins", user=worker).get_json()
        assert [c["id"] for c in mine["items"]] == [checkin.get_json()["id"]]

        # The dashboard's figures come from the replica, which has not replayed the check-in yet.
        log.clear()
        assert _coverage(api, leader)["sites_visited"] == 0
        assert log.lines["replica"] and all(
            line.startswith(SELECTS) for line in log.lines["replica"]
        )
        assert not any("FROM checkins" in line for line in log.lines[None])
        assert db.session.scalar(select(CheckIn.id)) is not None  # it is on the primary
    finally:
        replica.psql(DATABASE, "SELECT pg_wal_replay_resume()")
    replica.wait_for_replay(primary)
    assert _coverage(api, leader)["sites_visited"] == 1


def test_a_ledger_reads_the_replica_and_audits_on_the_primary(on_servers, primary_and_replica):
    primary, replica = primary_and_replica
    app, api = _city(on_servers, primary, replica)
    district = factories.build_district()
    db.session.commit()
    replica.wait_for_replay(primary)
    log = StatementLog()
    response = api.get("/ledgers", user=district.leader)
    assert response.status_code == 200
    assert log.lines["replica"] and all(line.startswith(SELECTS) for line in log.lines["replica"])
    assert any(line.startswith("INSERT INTO audit_events") for line in log.lines[None])
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "ledger.export"))


def test_the_dashboard_page_reads_the_replica_for_a_signed_in_leader(
    on_servers, primary_and_replica
):
    primary, replica = primary_and_replica
    app, _api = _city(on_servers, primary, replica)
    district = factories.build_district()
    db.session.commit()
    replica.wait_for_replay(primary)
    client = app.test_client()
    login = client.post(
        "/login", data={"username": district.leader.username, "password": factories.PASSWORD}
    )
    assert login.status_code == 302
    log = StatementLog()
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert log.lines["replica"]
    # The guard loads the person and their session from the primary, before the body runs.
    assert any("FROM users" in line for line in log.lines[None])


def test_readyz_reports_the_replica_and_its_lag(on_servers, primary_and_replica):
    primary, replica = primary_and_replica
    app, _api = _city(on_servers, primary, replica)
    ready = app.test_client().get("/readyz")
    state = ready.get_json()
    assert ready.status_code == 200 and state["status"] == "ok", state
    assert state["replica"] == "up" and 0 <= state["replica_lag_seconds"] < 60


def test_readyz_says_degraded_when_the_replica_is_down(on_servers, primary_and_replica):
    primary, replica = primary_and_replica
    from tests.city.servers import free_port

    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/{DATABASE}"
    app, _api = _city(on_servers, primary, replica, replica_url=closed)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {
        "database": "up",
        "schema": "current",
        "replica": "down",
        "status": "degraded",
    }


def test_readyz_notices_a_replica_url_naming_a_primary(on_servers, primary_and_replica):
    primary, replica = primary_and_replica
    app, _api = _city(on_servers, primary, replica, replica_url=primary.url())
    assert app.test_client().get("/readyz").get_json()["replica"] == "not_standby"


def test_without_a_replica_everything_reads_the_primary(on_servers, primary_and_replica):
    primary, _replica = primary_and_replica
    app = on_servers(primary.url())
    assert set(db.engines) == {None}
    with replica_reads():
        assert db.session.scalar(text("SELECT pg_is_in_recovery()")) is False
    assert "replica" not in app.test_client().get("/readyz").get_json()
