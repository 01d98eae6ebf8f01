"""Logging in with an SMS code, against a real HTTP SMS gateway on 127.0.0.1: offered only with a
gateway; the same answer for any number; the code hashed, never logged nor kept in a
notification; 5 minutes, 5 tries, limits per phone and per address; the JSON API alike."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, SignInCode
from app.models.base import utcnow
from app.services.passwords import NO_PASSWORD
from tests.factories import make_user

PHONE = "13955550001"


@pytest.fixture
def gateway(app, recorder, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", recorder.url + "/sms")
    monkeypatch.setitem(app.config, "NOTIFY_SMS_TOKEN", "gw-token")
    return recorder


@pytest.fixture
def person(district):
    worker = district.a.worker
    worker.phone = PHONE
    db.session.flush()
    return worker


def ask(client, phone=PHONE, **extra):
    response = client.post("/login/sms/code", data={"phone": phone, **extra})
    response.close()  # as a WSGI server does once the answer is out: the SMS goes then
    return response


def sent_code(gateway, index=-1) -> str:
    sms = gateway.received[index]
    return re.search(r"(?<!\d)(\d{6})(?!\d)", sms.json["content"])[1]


def test_without_a_gateway_there_is_no_sms_login(client, person):
    assert "/login/sms" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sms").status_code == 404
    assert client.post("/login/sms/code", data={"phone": PHONE}).status_code == 404
    assert client.post("/login/sms", data={"phone": PHONE, "code": "123456"}).status_code == 404
    assert client.post("/api/v1/auth/sms-code", json={"phone": PHONE}).status_code == 404
    body = {"phone": PHONE, "code": "123456"}
    assert client.post("/api/v1/auth/sms-token", json=body).status_code == 404
    assert client.post("/api/v1/auth/sms-token", json={"code": "x"}).status_code == 404


def test_a_code_by_sms_signs_in_once(client, gateway, person, caplog):
    page = client.get("/login?next=/worker/tasks").get_data(as_text=True)
    assert 'id="sms-login-link"' in page
    with caplog.at_level(logging.DEBUG):
        asked = ask(client, "139-5555-0001", next="/worker/tasks")
        assert asked.status_code == 200 and 'id="sms-sent"' in asked.get_data(as_text=True)
        (sms,) = gateway.received
        assert sms.path == "/sms" and sms.headers["authorization"] == "Bearer gw-token"
        assert sms.json["to"] == PHONE
        code = sent_code(gateway)
        row = db.session.scalar(select(SignInCode).where(SignInCode.purpose == "sms"))
        assert (
            code not in row.code_hash and row.code_hash != hashlib.sha256(code.encode()).hexdigest()
        )
        assert timedelta(minutes=4) < row.expires_at - utcnow() <= timedelta(minutes=5)
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        done = client.post(
            "/login/sms", data={"phone": PHONE, "code": code, "next": "/worker/tasks"}
        )
        assert done.status_code == 302 and done.headers["Location"] == "/worker/tasks"
        assert client.get("/api/v1/me").get_json()["id"] == person.id
        again = client.post("/login/sms", data={"phone": PHONE, "code": code})
        assert again.status_code == 401
    assert code not in caplog.text and PHONE not in caplog.text


def test_the_same_answer_for_a_number_nobody_holds(client, gateway, person):
    known = ask(client).get_data(as_text=True)
    unknown = ask(client, "13955559999").get_data(as_text=True)
    strip = lambda page: re.sub(r'value="[^"]*"|<strong>[^<]*</strong>', "", page)  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(gateway.received) == 1  # nothing went to the number nobody holds
    refused = client.post("/login/sms", data={"phone": "13955559999", "code": "123456"})
    assert refused.status_code == 401


def test_five_wrong_tries_kill_the_code_and_it_expires(client, gateway, person):
    ask(client)
    code = sent_code(gateway)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert client.post("/login/sms", data={"phone": PHONE, "code": wrong}).status_code == 401
    assert client.post("/login/sms", data={"phone": PHONE, "code": code}).status_code == 401
    ask(client)
    fresh = sent_code(gateway)
    row = db.session.scalar(select(SignInCode).where(SignInCode.revoked_at.is_(None)))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.post("/login/sms", data={"phone": PHONE, "code": fresh}).status_code == 401


def test_a_newer_code_kills_the_older_one(client, gateway, person):
    ask(client)
    ask(client)
    first, second = sent_code(gateway, 0), sent_code(gateway, 1)
    if first != second:
        assert client.post("/login/sms", data={"phone": PHONE, "code": first}).status_code == 401
    assert client.post("/login/sms", data={"phone": PHONE, "code": second}).status_code == 302


def test_codes_are_limited_per_phone_and_per_address(app, client, gateway, person, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_CODES_PER_ADDRESS", "5 per hour")
    for _ in range(3):
        assert ask(client).status_code == 200
    refused = ask(client)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "验证码获取次数过多" in refused.get_data(as_text=True)
    assert ask(client, "13955559999").status_code == 200  # another number is its own count
    assert ask(client, "13955559998").status_code == 429  # the address's fifth was the last
    assert len(gateway.received) == 3


def test_bad_input_is_named(client, gateway):
    bad = client.post("/login/sms/code", data={"phone": "call me"})
    assert bad.status_code == 422
    api = client.post("/api/v1/auth/sms-token", json={"phone": PHONE, "code": "12ab"})
    assert api.status_code == 422 and "code" in str(api.get_json())
    nul = client.post("/api/v1/auth/sms-code", json={"phone": "139\x00"})
    assert nul.status_code == 422 and "phone" in str(nul.get_json())


def test_a_person_without_a_password_chooses_one_after_the_code(client, gateway, district):
    imported = make_user(role="worker", area=district.a.street, force="rider", password_hash="!")
    imported.phone = "13955550002"
    db.session.flush()
    ask(client, imported.phone)
    done = client.post("/login/sms", data={"phone": imported.phone, "code": sent_code(gateway)})
    assert done.status_code == 302 and done.headers["Location"].startswith("/s/")
    new = "Quiet-Harbour-58"
    chosen = client.post(done.headers["Location"], data={"password": new, "confirm": new})
    assert chosen.status_code == 302
    assert client.get("/api/v1/me").get_json()["id"] == imported.id
    db.session.refresh(imported)
    assert imported.password_hash != NO_PASSWORD


def test_a_gateway_that_fails_changes_nothing_the_caller_sees(client, gateway, person, caplog):
    gateway.answers.append((500, b"down"))
    with caplog.at_level(logging.WARNING):
        assert ask(client).status_code == 200
    assert "not delivered" in caplog.text and PHONE not in caplog.text


def test_the_api_sends_a_code_and_trades_it_for_a_token(client, gateway, person):
    asked = client.post("/api/v1/auth/sms-code", json={"phone": PHONE})
    asked.close()
    assert asked.status_code == 202 and asked.get_json() == {"expires_in": 300}
    nobody = client.post("/api/v1/auth/sms-code", json={"phone": "13955559999"})
    nobody.close()
    assert nobody.status_code == 202 and nobody.get_json() == asked.get_json()
    code = sent_code(gateway)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    body = {"phone": PHONE, "code": wrong}
    assert client.post("/api/v1/auth/sms-token", json=body).status_code == 401
    token = client.post("/api/v1/auth/sms-token", json={"phone": PHONE, "code": code})
    assert token.status_code == 200 and token.get_json()["user"]["id"] == person.id
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=bearer).get_json()["id"] == person.id
