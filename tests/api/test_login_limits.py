"""Lockouts a person can live with: an admin unlocks an account, the answer says when to try
again, an address that logged in lately is never stopped on the right password; and the address
counted is the client's own, however many proxies stand in front."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.factories import PASSWORD, ApiClient

TOKEN_URL = "/api/v1/auth/token"
WRONG = "Wrong-Password-0"


def attempt(client, username, password=WRONG, address="10.0.0.1", **kwargs):
    return client.post(
        TOKEN_URL,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def limit_of(app, name) -> int:
    return int(app.config[name].split()[0])


def lock_out(app, client, username):
    for i in range(limit_of(app, "LOGIN_FAILURES_PER_ACCOUNT")):
        assert attempt(client, username, address=f"10.1.1.{i}").status_code == 401
    assert attempt(client, username, PASSWORD, "10.1.2.1").status_code == 429


# ---------------------------------------------------------------- when to try again


def test_the_429_json_says_when_to_try_again_in_chinese_by_default(app, client, district):
    lock_out(app, client, district.a.worker.username)
    blocked = attempt(client, district.a.worker.username, PASSWORD, "10.1.2.2")
    body = blocked.get_json()
    retry_after = int(blocked.headers["Retry-After"])
    assert 14 * 60 < retry_after <= 15 * 60
    assert body["retry_after"] == retry_after and body["retry_at"]
    assert "15 分钟后" in body["message"] and re.search(r"\d\d:\d\d", body["message"]), body[
        "message"
    ]


def test_the_429_json_speaks_english_when_asked(app, client, district):
    lock_out(app, client, district.a.worker.username)
    client.set_cookie("lang", "en")
    message = attempt(client, district.a.worker.username, PASSWORD, "10.1.2.3").get_json()[
        "message"
    ]
    assert re.fullmatch(
        r"Too many failed logins\. Try again in 15 minutes, at \d\d:\d\d\.", message
    ), message


def test_the_login_page_says_when_to_try_again(app, client, district):
    lock_out(app, client, district.a.worker.username)
    page = client.post(
        "/login",
        data={"username": district.a.worker.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.4"},
    )
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    html = page.get_data(as_text=True)
    assert 'name="username"' in html  # the form is still there
    assert re.search(r"请在 15 分钟后（\d\d:\d\d）再试", html), html[-2000:]
    client.set_cookie("lang", "en")
    page = client.post(
        "/login",
        data={"username": district.a.worker.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.4"},
    )
    assert re.search(r"Try again in 15 minutes, at \d\d:\d\d", page.get_data(as_text=True))


# ---------------------------------------------------------------- unlocking


def test_an_admin_unlocks_an_account_through_the_api_and_it_is_audited(app, client, district):
    worker = district.a.worker
    lock_out(app, client, worker.username)
    api = ApiClient(app.test_client())
    for someone in (district.a.coordinator, district.leader, worker):
        refused = api.post(f"/users/{worker.id}/unlock", user=someone)
        assert refused.status_code == 403, someone
    assert attempt(client, worker.username, PASSWORD, "10.1.2.5").status_code == 429
    unlocked = api.post(f"/users/{worker.id}/unlock", user=district.admin)
    assert unlocked.status_code == 200 and unlocked.get_json()["id"] == worker.id
    assert attempt(client, worker.username, PASSWORD, "10.1.2.5").status_code == 200
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.unlock_login")
    ).all()
    assert [(e.actor_id, e.object_id) for e in events] == [(district.admin.id, worker.id)]
    assert api.post("/users/2147483647/unlock", user=district.admin).status_code == 404


def test_an_admin_unlocks_an_account_with_the_button_on_its_page(app, client, district, login_as):
    worker = district.a.worker
    lock_out(app, client, worker.username)
    login_as(district.admin)
    page = client.get(f"/coordinate/users/{worker.id}").get_data(as_text=True)
    assert "登录失败次数过多，锁定至" in page and f"/coordinate/users/{worker.id}/unlock" in page
    done = client.post(f"/coordinate/users/{worker.id}/unlock")
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/coordinate/users/{worker.id}"
    )
    assert "未锁定" in client.get(f"/coordinate/users/{worker.id}").get_data(as_text=True)
    assert attempt(app.test_client(), worker.username, PASSWORD, "10.1.2.6").status_code == 200
    assert (
        db.session.scalar(
            select(AuditEvent.object_id).where(AuditEvent.action == "user.unlock_login")
        )
        == worker.id
    )


def test_a_coordinator_sees_no_unlock_button_and_cannot_post_it(app, client, district, login_as):
    worker = district.a.worker
    lock_out(app, client, worker.username)
    login_as(district.a.coordinator)
    page = client.get(f"/coordinate/users/{worker.id}").get_data(as_text=True)
    assert "登录失败次数过多，锁定至" in page and "/unlock" not in page
    assert client.post(f"/coordinate/users/{worker.id}/unlock").status_code == 403
    assert attempt(app.test_client(), worker.username, PASSWORD, "10.1.2.7").status_code == 429


# ---------------------------------------------------------------- an office behind one address


def test_an_address_that_logged_in_lately_is_never_stopped_on_the_right_password(
    app, client, district
):
    office = "10.30.0.1"
    assert attempt(client, district.a.coordinator.username, PASSWORD, office).status_code == 200
    for i in range(limit_of(app, "LOGIN_FAILURES_PER_ADDRESS")):
        assert attempt(client, f"ghost{i}", address=office).status_code == 401
    # Wrong passwords from the office are stopped now...
    assert attempt(client, district.a.worker.username, address=office).status_code == 429
    assert attempt(client, "ghost-more", address=office).status_code == 429
    # ...the right one is not, for every account and for the page too.
    assert attempt(client, district.a.worker.username, PASSWORD, office).status_code == 200
    assert attempt(client, district.b.worker.username, PASSWORD, office).status_code == 200
    page = client.post(
        "/login",
        data={"username": district.a.leader.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": office},
    )
    assert page.status_code == 302
    # An address with no recent success stays blocked, right password included.
    for i in range(limit_of(app, "LOGIN_FAILURES_PER_ADDRESS")):
        assert attempt(client, f"ghost{i}", address="10.30.0.2").status_code == 401
    assert attempt(client, district.a.worker.username, PASSWORD, "10.30.0.2").status_code == 429


def test_the_account_limit_still_holds_from_an_address_that_logged_in_lately(app, client, district):
    office = "10.31.0.1"
    assert attempt(client, district.a.coordinator.username, PASSWORD, office).status_code == 200
    for _ in range(limit_of(app, "LOGIN_FAILURES_PER_ACCOUNT")):
        assert attempt(client, district.a.worker.username, address=office).status_code == 401
    assert attempt(client, district.a.worker.username, PASSWORD, office).status_code == 429


# ---------------------------------------------------------------- proxies


def forged_failures(client, count, real="10.40.0.9", proxy="127.0.0.1", hops=1):
    """Failures, each with a fresh forged X-Forwarded-For in front of what the proxies added."""
    statuses = []
    for i in range(count):
        added = ", ".join([real] + [f"10.50.0.{n}" for n in range(hops - 1)])
        statuses.append(
            attempt(
                client,
                f"ghost{i}",
                address=proxy,
                headers={"X-Forwarded-For": f"203.0.113.{i % 250}, {added}"},
            ).status_code
        )
    return statuses


@pytest.mark.parametrize(
    "settings, hops",
    [
        ({"TRUSTED_PROXIES": "1"}, 1),
        ({"PROXY_FIX": True, "TRUSTED_PROXIES": "0"}, 1),
        ({"TRUSTED_PROXIES": "2"}, 2),
    ],
)
def test_forged_forwarded_addresses_share_the_real_clients_budget(
    district, make_app, settings, hops
):
    proxied = make_app(**settings)
    client = proxied.test_client()
    allowed = int(proxied.config["LOGIN_FAILURES_PER_ADDRESS"].split()[0])
    assert forged_failures(client, allowed, hops=hops) == [401] * allowed
    assert forged_failures(client, 1, hops=hops) == [429]
    # Another real client behind the same proxy has its own budget.
    assert forged_failures(client, 1, real="10.40.0.10", hops=hops) == [401]


def test_with_no_trusted_proxy_forwarded_headers_are_ignored(client, district):
    allowed = int(client.application.config["LOGIN_FAILURES_PER_ADDRESS"].split()[0])
    assert forged_failures(client, allowed, proxy="10.41.0.1") == [401] * allowed
    assert forged_failures(client, 1, proxy="10.41.0.1") == [429]


@pytest.mark.parametrize("value", ["-1", "one", "11"])
def test_a_bad_proxy_count_stops_the_start(district, make_app, value):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        make_app(TRUSTED_PROXIES=value)
