"""Failed logins counted in a real Redis: shared by every worker process, and a login still
answers (never 500) when Redis goes away."""

from __future__ import annotations

from app.extensions import db
from tests.factories import PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token"
WRONG = "Wrong-Password-0"


def attempt(app, username, password=WRONG, address="10.60.0.1"):
    return app.test_client().post(
        TOKEN_URL,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def per_account(app) -> int:
    return int(app.config["LOGIN_FAILURES_PER_ACCOUNT"].split()[0])


def test_two_worker_processes_share_the_failure_count_through_redis(make_app, redis_server):
    first = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    second = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    allowed = per_account(first)
    for i in range(allowed):  # half the guesses on each worker
        assert (
            attempt(first if i % 2 else second, "ghost-shared", address=f"10.60.1.{i}").status_code
            == 401
        )
    assert attempt(first, "ghost-shared", address="10.60.2.1").status_code == 429
    assert attempt(second, "ghost-shared", address="10.60.2.2").status_code == 429
    # a third worker started later sees the same count
    assert (
        attempt(make_app(RATELIMIT_STORAGE_URI=redis_server.url), "ghost-shared").status_code == 429
    )


def test_in_memory_each_worker_counts_alone(make_app):
    """What Redis fixes: with memory:// the budget is multiplied by the number of workers."""
    first, second = (
        make_app(RATELIMIT_STORAGE_URI="memory://"),
        make_app(RATELIMIT_STORAGE_URI="memory://"),
    )
    allowed = per_account(first)
    for i in range(allowed):
        assert (
            attempt(first if i % 2 else second, "ghost-alone", address=f"10.61.1.{i}").status_code
            == 401
        )
    assert attempt(first, "ghost-alone", address="10.61.2.1").status_code == 401


def test_logins_still_answer_when_redis_goes_away(committing, make_app, redis_server):
    worker = make_user(role="worker", username="redis-gone-worker")
    db.session.commit()
    app = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    assert attempt(app, worker.username).status_code == 401
    assert attempt(app, worker.username, PASSWORD).status_code == 200
    redis_server.stop()
    assert attempt(app, worker.username, PASSWORD).status_code == 200
    page = app.test_client().post(
        "/login", data={"username": worker.username, "password": PASSWORD}
    )
    assert page.status_code == 302
    statuses = [
        attempt(app, worker.username, address=f"10.62.0.{i}").status_code
        for i in range(per_account(app) + 2)
    ]
    # counted in this process's memory meanwhile: failures, then the lockout, never a 500
    assert statuses[: per_account(app)] == [401] * per_account(app)
    assert statuses[per_account(app) :] == [429, 429]
    locked = app.test_client().post(
        "/login", data={"username": worker.username, "password": PASSWORD}
    )
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
