"""Every limit that is counted outside the database counts in RATELIMIT_STORAGE_URI: the failed
logins (tests/api/test_login_limits_redis.py) and Flask-Limiter's route limits (the invite sign-up
form), so that several web hosts share one budget. (Quiz answers per phone and address are counted
from their rows in the database, which every host shares already.)"""

from __future__ import annotations

import socket
import time

from app.extensions import limiter


def _join(app, address: str = "10.70.0.1") -> int:
    return (
        app.test_client()
        .post("/i/no-such-invite", environ_base={"REMOTE_ADDR": address})
        .status_code
    )


def _keys(redis) -> bytes:
    with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as connection:
        connection.sendall(b"KEYS *\r\n")
        time.sleep(0.2)
        return connection.recv(65536)


def test_the_invite_limit_is_counted_in_redis_for_every_host(make_app, redis_server):
    settings = {"RATELIMIT_STORAGE_URI": redis_server.url, "INVITE_JOINS_PER_ADDRESS": "2 per hour"}
    first = make_app(**settings)
    assert type(limiter.storage).__name__ == "RedisStorage"
    assert [_join(first), _join(first)] == [404, 404]
    assert b"LIMITER" in _keys(redis_server)
    # Another host (another app, its own connection to the same Redis) finds the budget spent.
    second = make_app(**settings)
    assert _join(second) == 429
    assert _join(second, address="10.70.0.2") == 404  # per address


def test_in_memory_a_new_process_starts_counting_afresh(make_app):
    """What Redis fixes: in memory, every process (and host) has its own budget."""
    settings = {"RATELIMIT_STORAGE_URI": "memory://", "INVITE_JOINS_PER_ADDRESS": "2 per hour"}
    first = make_app(**settings)
    assert [_join(first) for _ in range(3)] == [404, 404, 429]
    assert _join(make_app(**settings)) == 404


def test_the_invite_form_still_answers_when_redis_goes_away(make_app, redis_server):
    app = make_app(RATELIMIT_STORAGE_URI=redis_server.url, INVITE_JOINS_PER_ADDRESS="2 per hour")
    assert _join(app) == 404
    redis_server.stop()
    # Counted in this process's memory meanwhile (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
    assert [_join(app) for _ in range(3)] == [404, 404, 429]
