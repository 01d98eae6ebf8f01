"""The log of a full run: one line per request with its id, user, status and duration, errors
with their traceback, and none of the secrets the run used (passwords, tokens, cookies, QR
tokens, residents' phone numbers)."""

from __future__ import annotations

import logging.config
import re

import pytest

from app import create_app, qr
from app.extensions import db
from app.logging_setup import logging_config
from config import TestingConfig
from tests import factories
from tests.api.checkin_helpers import body as checkin_body
from tests.conftest import FreshGlobalsClient

PHONE = "13912345678"
LINE = re.compile(
    r"gridreach\.request \[(?P<rid>[^\]]+)\] (?P<method>[A-Z]+) (?P<path>\S+) "
    r"status=(?P<status>\d+) user=(?P<user>\S+) addr=\S+ duration_ms=[\d.]+$"
)


@pytest.fixture
def logged_app(app, committing, tmp_path):
    """A second app on the test database that logs at INFO to a file, with a route that fails."""
    log_file = tmp_path / "gridreach.log"

    class Logged(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        LOG_LEVEL = "INFO"
        LOG_FILE = str(log_file)

    logged = create_app(Logged)
    logged.test_client_class = FreshGlobalsClient

    @logged.get("/test-only/fail")
    def fail():
        raise RuntimeError(f"could not reach {PHONE}")

    with logged.app_context():
        yield logged, log_file
        db.session.remove()
        factories.empty_all_tables()
        db.engine.dispose()
    logging.config.dictConfig(logging_config(app.config["LOG_LEVEL"]))


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def test_a_full_run_logs_every_request_with_its_id_and_no_secret(logged_app):
    app, log_file = logged_app
    district = factories.build_district()
    a = district.a
    site = a.sites[0]
    qr_token = qr.site_token(site)
    responses = []

    def call(response, status):
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        responses.append(response)
        return response

    browser = app.test_client()
    call(browser.get("/login"), 200)
    call(
        browser.post(
            "/login",
            data={"username": a.worker.username, "password": factories.PASSWORD, "remember": "y"},
        ),
        302,
    )
    secrets = [
        factories.PASSWORD,
        qr_token,
        PHONE,
        PHONE[3:],
        _cookie(browser, "session"),
        _cookie(browser, "remember_token"),
    ]
    call(browser.get(f"/c/{qr_token}?from=poster"), 200)

    api = app.test_client()
    token = call(
        api.post(
            "/api/v1/auth/token",
            json={"username": a.police.username, "password": factories.PASSWORD},
        ),
        200,
    ).get_json()["token"]
    secrets.append(token)
    bearer = {"Authorization": f"Bearer {token}"}
    call(api.post("/api/v1/checkins", json=checkin_body(site), headers=bearer), 201)
    warning = call(
        api.post(
            "/api/v1/warnings",
            headers=bearer,
            json={
                "level": "high",
                "area_id": a.grids[0].id,
                "subject_label": "王某",
                "phone": PHONE,
            },
        ),
        201,
    ).get_json()
    revealed = call(api.post(f"/api/v1/warnings/{warning['id']}/reveal-phone", headers=bearer), 200)
    assert revealed.get_json()["phone"] == PHONE
    call(api.get(f"/api/v1/warnings?phone={PHONE}", headers=bearer), 200)
    call(api.get(f"/q/{qr_token}"), 404)  # an unknown path that looks like a code's
    call(
        api.post(
            "/api/v1/auth/token", json={"username": a.police.username, "password": "wrong-" + PHONE}
        ),
        401,
    )
    given = call(api.get("/healthz", headers={"X-Request-ID": "edge-7f3a9c1d2b"}), 200)
    forged = call(api.get("/healthz", headers={"X-Request-ID": "forged id; INFO user=1"}), 200)
    failed = call(api.get("/test-only/fail", headers=bearer), 500)

    text = log_file.read_text(encoding="utf-8")
    for secret in secrets:
        assert secret not in text, f"a secret reached the log: {secret[:6]}..."

    lines = {m["rid"]: m for m in map(LINE.search, text.splitlines()) if m}
    assert len(lines) == len(responses)
    for response in responses:
        rid = response.headers["X-Request-ID"]
        assert rid in lines, f"no log line for request {rid}"
        assert lines[rid]["status"] == str(response.status_code)
        assert "?" not in lines[rid]["path"]
    assert given.headers["X-Request-ID"] == "edge-7f3a9c1d2b"
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"]) and "forged id" not in text

    by_path = {m["path"]: m for m in lines.values()}
    assert by_path["/c/<token>"]["user"] == str(a.worker.id)
    assert by_path["/q/<token>"]["status"] == "404"
    assert by_path[f"/api/v1/warnings/{warning['id']}/reveal-phone"]["user"] == str(a.police.id)
    assert by_path["/healthz"]["user"] == "-"

    error = re.search(
        rf"ERROR app\.errors \[{failed.headers['X-Request-ID']}\] unhandled error on "
        r"GET /test-only/fail\nTraceback \(most recent call last\):\n(.*\n)*?RuntimeError: "
        r"could not reach <number>",
        text,
    )
    assert error, text[-2000:]
