"""Logging in to the API: tokens, sessions with CSRF, login rate limits, passwords."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, User
from app.models.base import utcnow
from tests.factories import PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token"
NEW_PASSWORD = "Quiet-Harbour-58"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def get_token(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        TOKEN_URL,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


# ---------------------------------------------------------------- tokens


def test_token_is_issued_with_the_user_and_stored_only_as_a_hash(client, district):
    worker = district.a.worker
    response = get_token(client, worker.username)
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["id"] == worker.id and body["user"]["role"] == "worker"
    assert len(body["token"]) >= 32
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == worker.id)).all()
    assert [t.token_hash for t in stored] == [hashlib.sha256(body["token"].encode()).hexdigest()]
    assert stored[0].expires_at > utcnow() + timedelta(days=1)
    assert client.get("/api/v1/me", headers=bearer(body["token"])).get_json()["id"] == worker.id


def test_wrong_password_and_unknown_user_answer_alike(client, district):
    wrong = get_token(client, district.a.worker.username, "Not-The-Password-1")
    unknown = get_token(client, "nobody-here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert "token" not in wrong.get_json()


def test_inactive_user_gets_no_token_and_loses_the_ones_they_had(client, district):
    worker = district.a.worker
    token = get_token(client, worker.username).get_json()["token"]
    worker.active = False
    db.session.commit()
    refused = get_token(client, worker.username)
    assert refused.status_code == 401
    assert refused.get_json() == get_token(client, "nobody-here").get_json()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_expired_token_is_refused(client, district):
    token = get_token(client, district.a.worker.username).get_json()["token"]
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == district.a.worker.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401 and response.is_json


def test_revoked_token_is_refused_and_others_keep_working(client, district):
    user = district.a.coordinator.username
    first = get_token(client, user).get_json()["token"]
    second = get_token(client, user).get_json()["token"]
    assert client.delete(TOKEN_URL, headers=bearer(first)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200
    assert client.delete(TOKEN_URL, headers=bearer(first)).status_code == 401


def test_a_new_password_ends_the_users_tokens(client, api, district):
    token = get_token(client, district.a.worker.username).get_json()["token"]
    response = api.patch(
        f"/users/{district.a.worker.id}",
        user=district.a.coordinator,
        json={"password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert get_token(client, district.a.worker.username, NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "Basic d29ya2VyOnBhc3N3b3Jk"},
        {"Authorization": "Token abc"},
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/areas", "/api/v1/sites/1", "/api/v1/users"])
def test_missing_or_bad_credentials_are_401_json(client, district, headers, url):
    response = client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.is_json and response.get_json()["code"] == 401


def test_writes_without_credentials_are_401_not_400(client, district):
    response = client.post("/api/v1/areas", json={"name": "x", "level": "street"})
    assert response.status_code == 401 and response.is_json


def test_bad_bearer_is_401_even_with_a_session_cookie(client, district, login_as):
    login_as(district.a.coordinator)
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers=bearer("forged"))
    assert response.status_code == 401


# ---------------------------------------------------------------- session cookie + CSRF

META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
FORM_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" value="([^"]+)" name="csrf_token"|'
    r'name="csrf_token" value="([^"]+)"'
)


@pytest.fixture
def csrf_on(app, monkeypatch):
    """CSRF checked as in production (the test config turns it off for forms)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def page_token(client, path="/login") -> str:
    return META_CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def login_with_form(client, user):
    html = client.get("/login").get_data(as_text=True)
    match = FORM_CSRF.search(html)
    token = next(group for group in match.groups() if group)
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_login_form_without_csrf_token_is_refused(client, district, csrf_on):
    response = client.post(
        "/login", data={"username": district.admin.username, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_session_cookie_reads_and_writes_with_the_page_csrf_token(client, district, csrf_on):
    login_with_form(client, district.admin)
    assert client.get("/api/v1/me").get_json()["id"] == district.admin.id

    missing = client.post("/api/v1/areas", json={"name": "无令牌街道", "level": "street"})
    assert missing.status_code == 400 and missing.is_json
    assert "CSRF" in missing.get_json()["message"]

    wrong = client.post(
        "/api/v1/areas",
        json={"name": "错令牌街道", "level": "street"},
        headers={"X-CSRFToken": "not-the-token"},
    )
    assert wrong.status_code == 400 and "CSRF" in wrong.get_json()["message"]

    token = page_token(client)
    ok = client.post(
        "/api/v1/areas",
        json={"name": "有令牌街道", "level": "street"},
        headers={"X-CSRFToken": token},
    )
    assert ok.status_code == 201, ok.get_json()
    patched = client.patch(
        f"/api/v1/areas/{ok.get_json()['id']}",
        json={"name": "改名街道"},
        headers={"X-CSRFToken": token},
    )
    assert patched.status_code == 200


def test_bearer_calls_need_no_csrf_token(client, district, csrf_on):
    token = get_token(client, district.admin.username).get_json()["token"]
    response = client.post(
        "/api/v1/areas", json={"name": "令牌街道", "level": "street"}, headers=bearer(token)
    )
    assert response.status_code == 201


def test_token_call_needs_no_csrf_token(client, district, csrf_on):
    assert get_token(client, district.admin.username).status_code == 200


def test_logged_out_session_is_401(client, district, csrf_on):
    login_with_form(client, district.admin)
    token = page_token(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


# ---------------------------------------------------------------- login rate limits


def _fail(client, username, address="10.0.0.1"):
    return get_token(client, username, "Wrong-Password-0", address)


def test_failures_per_account_answer_429_with_retry_after(app, client, district):
    username = district.a.worker.username
    allowed = int(app.config["LOGIN_FAILURES_PER_ACCOUNT"].split()[0])
    # Spread over addresses: the account limit must not depend on the address.
    for i in range(allowed):
        assert _fail(client, username, f"10.1.0.{i}").status_code == 401
    blocked = get_token(client, username, PASSWORD, "10.9.9.9")
    assert blocked.status_code == 429 and blocked.is_json
    assert int(blocked.headers["Retry-After"]) > 0
    assert "token" not in blocked.get_json()
    # Another account from the same addresses is not affected.
    assert (
        get_token(client, district.a.coordinator.username, PASSWORD, "10.1.0.0").status_code == 200
    )


def test_account_limit_ignores_case_and_spaces_in_the_name(app, client, district):
    username = district.a.worker.username
    allowed = int(app.config["LOGIN_FAILURES_PER_ACCOUNT"].split()[0])
    for i in range(allowed):
        variant = username.upper() if i % 2 else f" {username} "
        assert _fail(client, variant, f"10.2.0.{i}").status_code == 401
    assert get_token(client, username, PASSWORD, "10.9.9.8").status_code == 429


def test_failures_per_address_answer_429_but_other_addresses_log_in(app, client, district):
    allowed = int(app.config["LOGIN_FAILURES_PER_ADDRESS"].split()[0])
    # Unknown names, so no single account reaches its own limit.
    for i in range(allowed):
        assert _fail(client, f"ghost{i}", "10.3.0.1").status_code == 401
    blocked = get_token(client, district.a.coordinator.username, PASSWORD, "10.3.0.1")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert (
        get_token(client, district.a.coordinator.username, PASSWORD, "10.3.0.2").status_code == 200
    )


def test_an_office_behind_one_address_logs_in_freely(client, district):
    users = [make_user(role="worker", area=district.a.community) for _ in range(25)]
    db.session.commit()
    statuses = [
        get_token(client, user.username, PASSWORD, "10.4.0.1").status_code for user in users
    ]
    assert statuses == [200] * 25
    # and the same person logging in again and again (a phone that lost its token)
    again = [
        get_token(client, users[0].username, PASSWORD, "10.4.0.1").status_code for _ in range(25)
    ]
    assert again == [200] * 25


def test_html_login_shares_the_account_limit(app, client, district):
    username = district.a.coordinator.username
    allowed = int(app.config["LOGIN_FAILURES_PER_ACCOUNT"].split()[0])
    for i in range(allowed // 2):
        assert _fail(client, username, f"10.5.0.{i}").status_code == 401
    for i in range(allowed - allowed // 2):
        page = client.post(
            "/login",
            data={"username": username, "password": "Wrong-Password-0"},
            environ_base={"REMOTE_ADDR": f"10.6.0.{i}"},
        )
        assert page.status_code == 401
    page = client.post(
        "/login",
        data={"username": username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.7.0.1"},
    )
    assert page.status_code == 429 and "Retry-After" in page.headers
    assert get_token(client, username, PASSWORD, "10.7.0.2").status_code == 429


def test_html_login_shares_the_address_limit(app, client, district):
    allowed = int(app.config["LOGIN_FAILURES_PER_ADDRESS"].split()[0])
    for i in range(allowed):
        page = client.post(
            "/login",
            data={"username": f"ghost{i}", "password": "Wrong-Password-0"},
            environ_base={"REMOTE_ADDR": "10.8.0.1"},
        )
        assert page.status_code == 401
    assert get_token(client, district.a.worker.username, PASSWORD, "10.8.0.1").status_code == 429
    # the page itself still opens, so a person sees why
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.8.0.1"}).status_code == 200


def test_bad_requests_do_not_count_as_failed_logins(app, client, district):
    allowed = int(app.config["LOGIN_FAILURES_PER_ACCOUNT"].split()[0])
    for _ in range(allowed + 5):
        response = client.post(
            TOKEN_URL,
            json={"username": district.a.worker.username},
            environ_base={"REMOTE_ADDR": "10.10.0.1"},
        )
        assert response.status_code == 422
    assert get_token(client, district.a.worker.username, PASSWORD, "10.10.0.1").status_code == 200


# ---------------------------------------------------------------- passwords


def new_worker(district, password, username="fresh-worker"):
    return {
        "username": username,
        "password": password,
        "role": "worker",
        "area_id": district.a.community.id,
    }


@pytest.mark.parametrize(
    "password",
    [
        "",
        "short",
        "Ab1-xyz",
        "password123",
        "PASSWORD123",
        "12345678",
        "qwertyuiop",
        "gridreach123",
    ],
)
def test_weak_passwords_are_422_naming_password(api, district, password):
    response = api.post("/users", user=district.admin, json=new_worker(district, password))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == ["password"]
    patched = api.patch(
        f"/users/{district.a.worker.id}", user=district.admin, json={"password": password}
    )
    assert patched.status_code == 422 and "password" in patched.get_json()["errors"]["json"]


def test_password_is_hashed_with_argon2id_and_never_answered(client, api, district):
    admin = district.admin
    bodies = []

    def keep(response):
        bodies.append(response.get_data(as_text=True))
        return response

    created = keep(api.post("/users", user=admin, json=new_worker(district, NEW_PASSWORD)))
    assert created.status_code == 201
    user_id = created.get_json()["id"]
    stored = db.session.get(User, user_id)
    db.session.refresh(stored)
    assert (
        stored.password_hash.startswith("$argon2id$") and NEW_PASSWORD not in stored.password_hash
    )

    token = keep(get_token(client, "fresh-worker", NEW_PASSWORD)).get_json()["token"]
    keep(client.get("/api/v1/me", headers=bearer(token)))
    keep(api.get(f"/users/{user_id}", user=admin))
    keep(api.get("/users?per_page=200", user=admin))
    keep(
        api.patch(
            f"/users/{user_id}",
            user=admin,
            json={"password": "Other-Harbour-77", "display_name": "新"},
        )
    )
    keep(
        api.post("/users", user=admin, json=new_worker(district, NEW_PASSWORD))
    )  # 409: the name is taken
    keep(get_token(client, "fresh-worker", NEW_PASSWORD))  # 401 now
    keep(client.get("/api/v1/openapi.json"))
    assert len(bodies) == 9
    for body in bodies:
        assert "argon2" not in body and "password_hash" not in body
        assert NEW_PASSWORD not in body and "Other-Harbour-77" not in body and PASSWORD not in body


@pytest.mark.parametrize("username", ["nul\x00name", "x" * 64, "名字", " "])
def test_odd_login_names_are_a_plain_failed_login(client, district, username):
    api_answer = client.post(TOKEN_URL, json={"username": username, "password": PASSWORD})
    assert api_answer.status_code in (401, 422) and api_answer.is_json
    page = client.post("/login", data={"username": username, "password": PASSWORD})
    assert page.status_code in (401, 422)  # a wrong field answers 422 on every page
