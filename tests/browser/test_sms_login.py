"""Logging in with an SMS code on a phone: the login page offers it where a gateway is set (a
real HTTP gateway on 127.0.0.1 here), the code arrives by SMS and signs the person in."""

from __future__ import annotations

import re
import time

import pytest

from app.extensions import db
from tests.factories import build_district

phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER
NUMBER = "13955550003"


def _code(gateway) -> str:
    deadline = time.monotonic() + 10
    while not gateway.received and time.monotonic() < deadline:
        time.sleep(0.05)  # sent once the answer is out
    (sms,) = gateway.received
    assert sms.json["to"] == NUMBER
    return re.search(r"(?<!\d)(\d{6})(?!\d)", sms.json["content"])[1]


def test_sms_code_login_at_phone_size(app, live_server, phone_factory, recorder, monkeypatch):
    district = build_district()
    district.a.worker.phone = NUMBER
    db.session.commit()
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", recorder.url + "/sms")
    problems = []
    page = phone_factory(allow_location=False).new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/login?next=/worker/tasks")
    page.tap("#sms-login-link")
    assert page.inner_text("h1") == "短信验证码登录"
    page.fill("input[name=phone]", "139 5555 0003")
    page.tap("#sms-code-form button[type=submit]")
    assert "验证码已发送" in page.inner_text("#sms-sent")
    page.fill("input[name=code]", "000000" if _code(recorder) != "000000" else "111111")
    page.tap("#sms-login-form button[type=submit]")
    page.wait_for_selector(".flash.error")
    assert "验证码错误" in page.inner_text(".flash.error")
    page.fill("input[name=code]", _code(recorder))
    page.tap("#sms-login-form button[type=submit]")
    page.wait_for_url("**/worker/tasks")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.PHONE["viewport"]["width"]
    assert page.evaluate("fetch('/api/v1/me').then(r => r.json())")["id"] == district.a.worker.id
    assert problems == []
