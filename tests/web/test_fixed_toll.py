"""What every request pays, and no more: /healthz runs no limiter, session or SQL; the limiter
runs on the routes it limits; a request that wrote nothing ends without a COMMIT."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import Engine

from app.extensions import db, limiter
from app.models import AuditEvent
from tests.web.test_invites import invite_on_page, join


@pytest.fixture
def ends():
    """The COMMITs and ROLLBACKs any engine sends while the test runs."""
    seen: list[str] = []

    def on_commit(_conn):
        seen.append("COMMIT")

    def on_rollback(_conn):
        seen.append("ROLLBACK")

    event.listen(Engine, "commit", on_commit)
    event.listen(Engine, "rollback", on_rollback)
    yield seen
    event.remove(Engine, "commit", on_commit)
    event.remove(Engine, "rollback", on_rollback)


@pytest.fixture
def limiter_checks(monkeypatch):
    """Every time Flask-Limiter works out which limits apply to a request."""
    calls: list[str] = []
    identify = limiter.identify_request

    def counting():
        calls.append("check")
        return identify()

    monkeypatch.setattr(limiter, "identify_request", counting)
    return calls


def test_healthz_runs_no_limiter_no_session_and_no_sql(
    app, client, district, login_as, limiter_checks, ends
):
    login_as(district.a.worker)  # the session cookie comes along, as a browser's would
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert statements == [] and ends == [] and limiter_checks == []
    # The session was not even opened: no cookie written, no Vary on it.
    assert "Set-Cookie" not in response.headers and "cookie" not in response.vary
    assert "X-RateLimit-Limit" not in response.headers
    # A page does open it (and still carries no limiter work).
    page = client.get("/")
    assert page.status_code == 200 and "cookie" in page.vary and limiter_checks == []


def test_no_limiter_hook_runs_on_every_request(app):
    hooks = [
        *app.before_request_funcs.get(None, []),
        *app.after_request_funcs.get(None, []),
        *app.teardown_request_funcs.get(None, []),
    ]
    names = [repr(getattr(hook, "func", hook)) for hook in hooks]
    assert not [name for name in names if "Limiter" in name], names


def test_a_limited_route_still_checks_its_limit_and_says_so(
    district, login_as, app, limiter_checks
):
    coordinator = login_as(district.a.coordinator)
    _invite, path = invite_on_page(coordinator, district.a.street)
    phone = app.test_client()
    form = phone.get(path)  # the limit is on POST
    assert form.status_code == 200 and "X-RateLimit-Limit" not in form.headers
    limiter_checks.clear()
    first = join(phone, path, password="short")
    assert first.status_code == 422 and limiter_checks
    assert first.headers["X-RateLimit-Limit"] == "20"
    assert first.headers["X-RateLimit-Remaining"] == "19"
    for _ in range(19):
        join(phone, path, password="short")
    refused = join(phone, path, password="short")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_an_app_wide_limit_is_refused(make_app):
    """Such a limit would need the hooks that are left out: refuse it rather than ignore it."""
    try:
        with pytest.raises(RuntimeError, match="on the routes"):
            make_app(RATELIMIT_DEFAULT="100 per minute")
    finally:
        limiter.limit_manager.set_default_limits([])


def _probes(make_app):
    other = make_app()

    @other.get("/probe/read")
    def read():
        return {"users": db.session.scalar(select(func.count()).select_from(text("users")))}

    @other.get("/probe/audit")
    def audit():  # a read that leaves an audit row pending, not yet flushed
        db.session.scalar(select(func.count()).select_from(text("users")))
        db.session.add(AuditEvent(action="probe.read", object_type="", detail={}))
        return {}

    @other.post("/probe/core")
    def core():  # an INSERT on the session's connection: nothing new, dirty or deleted
        db.session.connection().execute(
            insert(AuditEvent).values(action="probe.core", object_type="", detail={})
        )
        return {}

    return other


def _audits(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_a_request_that_wrote_nothing_sends_no_commit(make_app, committing, district, ends):
    other = _probes(make_app)
    client = other.test_client()  # each request in an app context of its own, as served
    assert client.get("/probe/read").status_code == 200
    assert ends == ["ROLLBACK"]  # the read's transaction, ended when its session closed
    ends.clear()
    assert client.get("/probe/audit").status_code == 200
    assert ends == ["COMMIT"]
    ends.clear()
    assert client.post("/probe/core").status_code == 200
    assert ends == ["COMMIT"]
    db.session.remove()
    assert _audits("probe.read") == 1 and _audits("probe.core") == 1


def test_writes_of_an_earlier_transaction_do_not_make_a_read_commit(
    make_app, committing, district, ends
):
    other = _probes(make_app)
    client = other.test_client()
    assert client.post("/probe/core").status_code == 200
    ends.clear()
    assert client.get("/probe/read").status_code == 200  # the same pooled connection
    assert ends == ["ROLLBACK"]
