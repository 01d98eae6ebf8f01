"""Sessions end server-side: a copied session or remember cookie stops working after logout,
a new password (the person's own or set by someone else) and deactivation; the CSRF secret
changes at login."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.factories import PASSWORD, ApiClient

NEW_PASSWORD = "Quiet-Harbour-58"
SESSION, REMEMBER = "session", "remember_token"
FORM_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def log_in(client, user, password=PASSWORD):
    response = client.post(
        "/login", data={"username": user.username, "password": password, "remember": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def cookies_of(client) -> dict[str, str]:
    found = {name: client.get_cookie(name) for name in (SESSION, REMEMBER)}
    assert all(found.values()), found
    return {name: cookie.value for name, cookie in found.items()}


def replay(app, cookies: dict[str, str]):
    """A fresh browser holding only these cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def assert_logged_out(app, cookies: dict[str, str]):
    for names in ([SESSION], [REMEMBER], [SESSION, REMEMBER]):
        browser = replay(app, {name: cookies[name] for name in names})
        page = browser.get("/")
        assert page.status_code == 302 and "/login" in page.headers["Location"], names
        assert browser.get("/api/v1/me").status_code == 401, names


def assert_logged_in(app, cookies: dict[str, str], user):
    for names in ([SESSION], [REMEMBER]):
        browser = replay(app, {name: cookies[name] for name in names})
        assert browser.get("/").status_code == 200, names
        assert browser.get("/api/v1/me").get_json()["id"] == user.id, names


def test_copied_cookies_work_until_logout_and_not_after(app, client, district):
    worker = district.a.worker
    log_in(client, worker)
    copied = cookies_of(client)
    assert_logged_in(app, copied, worker)
    assert client.post("/logout").status_code == 302
    assert_logged_out(app, copied)
    # logging in again works, with new cookies
    log_in(client, worker)
    assert_logged_in(app, cookies_of(client), worker)


@pytest.fixture
def api(app):
    """Bearer calls from a browser of their own (the test client keeps the person's cookies)."""
    return ApiClient(app.test_client())


def test_a_password_set_by_someone_else_ends_the_persons_sessions(app, client, api, district):
    worker = district.a.worker
    log_in(client, worker)
    copied = cookies_of(client)
    response = api.patch(
        f"/users/{worker.id}", user=district.a.coordinator, json={"password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert_logged_out(app, copied)
    assert client.get("/").status_code == 302  # the person's own browser too


def test_a_new_password_of_ones_own_ends_the_other_sessions_but_keeps_this_one(
    app, client, district
):
    coordinator = district.a.coordinator
    log_in(client, coordinator)
    elsewhere = cookies_of(client)  # the same person on another device
    form = client.get(f"/coordinate/users/{coordinator.id}").get_data(as_text=True)
    assert coordinator.username in form
    saved = client.post(
        f"/coordinate/users/{coordinator.id}",
        data={
            "username": coordinator.username,
            "display_name": coordinator.display_name,
            "password": NEW_PASSWORD,
            "role": "coordinator",
            "force": "",
            "area_id": coordinator.area_id,
            "active": "y",
        },
    )
    assert saved.status_code == 302, re.findall(r"errors[^<]*<[^<]*", saved.get_data(as_text=True))
    assert client.get("/").status_code == 200
    assert_logged_in(app, cookies_of(client), coordinator)
    assert_logged_out(app, elsewhere)


def test_deactivation_ends_sessions_and_tokens_for_good(app, client, api, district):
    worker, coordinator = district.a.worker, district.a.coordinator
    log_in(client, worker)
    copied = cookies_of(client)
    token = client.post(
        "/api/v1/auth/token", json={"username": worker.username, "password": PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert (
        api.patch(f"/users/{worker.id}", user=coordinator, json={"active": False}).status_code
        == 200
    )
    assert_logged_out(app, copied)
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    # Active again: the person logs in afresh; what was copied before stays dead.
    assert (
        api.patch(f"/users/{worker.id}", user=coordinator, json={"active": True}).status_code == 200
    )
    assert_logged_out(app, copied)
    assert replay(app, {}).get("/api/v1/me", headers=bearer).status_code == 401
    log_in(client, worker)
    assert_logged_in(app, cookies_of(client), worker)


def test_bearer_tokens_end_with_a_new_password_of_ones_own(client, api, district):
    admin = district.admin
    token = client.post(
        "/api/v1/auth/token", json={"username": admin.username, "password": PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert (
        api.patch(f"/users/{admin.id}", user=admin, json={"password": NEW_PASSWORD}).status_code
        == 200
    )
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


@pytest.mark.parametrize(
    "session_id",
    [
        "{id}",
        "{id}:",
        ":1",
        "{id}:1:1",
        "{id}:2",
        "99999999999:1",
        "x:1",
        "１:1",
        "{id}:99999999999",
    ],
)
def test_sessions_without_the_current_version_are_logged_out(client, district, session_id):
    """A session from before session versions ("ID"), an old version, or an odd id: no user, no error."""
    with client.session_transaction() as session:
        session["_user_id"] = session_id.format(id=district.admin.id)
        session["_fresh"] = True
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


# ---------------------------------------------------------------- CSRF secret at login


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_the_csrf_secret_changes_at_login(client, district, csrf_on):
    fixed = FORM_CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={"username": district.admin.username, "password": PASSWORD, "csrf_token": fixed},
    )
    assert response.status_code == 302
    stale = client.post(
        "/api/v1/areas",
        json={"name": "旧令牌街道", "level": "street"},
        headers={"X-CSRFToken": fixed},
    )
    assert stale.status_code == 400 and "CSRF" in stale.get_json()["message"]
    fresh = META_CSRF.search(client.get("/").get_data(as_text=True)).group(1)
    assert fresh != fixed
    created = client.post(
        "/api/v1/areas",
        json={"name": "新令牌街道", "level": "street"},
        headers={"X-CSRFToken": fresh},
    )
    assert created.status_code == 201
    db.session.rollback()
