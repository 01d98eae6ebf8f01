"""Notifications: the outbox written with the change, every channel against a real HTTP server,
retries and back-off, who hears what, reminders and escalations as the clock moves."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, NotificationDelivery, NotificationRecipient
from app.models.base import utcnow
from app.services.notifications import sender
from app.services.notifications.events import scrub
from app.services.warnings import handling
from tests.factories import make_user

PHONE = "13800131234"
# Any part of the number long enough to tell (seven digits or more, masked or spaced): a bare
# "0013" or "1234" may be a made-up username or a row id in the same message.
PHONE_PIECES = (
    PHONE,
    "138****1234",
    "1380013",
    "3800131",
    "00131234",
    "138 0013",
    "0013 1234",
    "0013-1234",
)


def _warn(actor, grid, level="high", now=None, **extra):
    data = {
        "level": level,
        "area_id": grid.id,
        "subject_label": "王某（72岁）",
        "phone": PHONE,
        **extra,
    }
    return handling.create_warning(actor, data, now=now)


def _no_phone(raw: bytes | str) -> None:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    for piece in PHONE_PIECES:
        assert piece not in text


def test_a_high_warning_through_the_api_reaches_the_grid_worker_by_webhook(
    app, api, district, notify_to
):
    server = notify_to("json")
    a = district.a
    answer = api.post(
        "/warnings",
        user=a.police,
        json={"level": "high", "area_id": a.grids[0].id, "subject_label": "王某", "phone": PHONE},
    )
    assert answer.status_code == 201, answer.get_json()
    assert server.received == []  # nothing leaves before the sender runs
    worker, police = (a.worker.id, a.worker.username), a.police.id
    others = {district.b.worker.id, a.coordinator.id}
    result = app.test_cli_runner().invoke(args=["send-notifications", "--once"])
    assert result.exit_code == 0, result.output
    assert len(server.received) == 1
    body = server.received[0].json
    assert set(body) == {"kind", "title", "text", "recipients", "warning_id", "deadline_at"}
    assert body["kind"] == "warning_new" and body["warning_id"] == answer.get_json()["id"]
    assert body["deadline_at"] == answer.get_json()["deadline_at"]
    users = {r["user_id"]: r for r in body["recipients"]}
    assert worker[0] in users and users[worker[0]]["username"] == worker[1]
    assert set(users[worker[0]]) == {"user_id", "username", "display_name"}
    assert police in users  # the community's police
    assert not others & set(users)
    _no_phone(server.received[0].raw)
    # Delivered once: the next run sends nothing again.
    app.test_cli_runner().invoke(args=["send-notifications", "--once"])
    assert len(server.received) == 1
    delivery = db.session.scalar(select(NotificationDelivery))
    assert delivery.status == "sent" and delivery.sent_at is not None


def test_nothing_is_told_of_a_change_that_rolled_back(district):
    savepoint = db.session.begin_nested()
    _warn(district.a.police, district.a.grids[0])
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    savepoint.rollback()
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert db.session.scalar(select(func.count(NotificationDelivery.id))) == 0


def test_a_label_or_address_with_a_phone_number_in_it_is_blotted_out(district, notify_to):
    server = notify_to("json")
    _warn(
        district.a.police,
        district.a.grids[0],
        subject_label=f"王某 {PHONE}",
    )
    sender.send_due()
    assert len(server.received) == 1
    _no_phone(server.received[0].raw)
    assert scrub("电话 138-0013-1234 或 +8613800131234") == "电话 *** 或 ***"


def test_wecom_robot_gets_a_text_message(district, notify_to):
    server = notify_to("wecom", path="/cgi-bin/webhook/send")
    _warn(district.a.police, district.a.grids[0])
    assert sender.send_due()["sent"] == 1
    got = server.received[0]
    assert got.path == "/cgi-bin/webhook/send"
    assert got.json["msgtype"] == "text" and "王某" in got.json["text"]["content"]
    _no_phone(got.raw)


def test_dingtalk_robot_gets_a_signed_text_message(app, district, notify_to):
    server = notify_to("dingtalk", path="/robot/send", NOTIFY_DINGTALK_SECRET="SECabc")
    _warn(district.a.police, district.a.grids[0])
    assert sender.send_due()["sent"] == 1
    got = server.received[0]
    assert got.json["msgtype"] == "text" and "王某" in got.json["text"]["content"]
    stamp, sign = got.query["timestamp"][0], got.query["sign"][0]
    expected = base64.b64encode(
        hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected
    _no_phone(got.raw)


def test_a_robot_that_answers_an_error_code_is_tried_again(district, notify_to):
    server = notify_to("wecom")
    server.answers.append((200, b'{"errcode": 45009, "errmsg": "api freq out of limit"}'))
    now = utcnow()
    _warn(district.a.police, district.a.grids[0], now=now)
    assert sender.send_due(now)["retry"] == 1
    assert sender.send_due(now + timedelta(seconds=10))["sent"] == 0
    assert sender.send_due(now + timedelta(seconds=31))["sent"] == 1
    assert len(server.received) == 2


def test_sms_to_a_person_with_their_own_channel_uses_the_template(
    app, district, recorder, monkeypatch
):
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", recorder.url + "/sms")
    monkeypatch.setitem(app.config, "NOTIFY_SMS_TOKEN", "gw-token")
    monkeypatch.setitem(app.config, "NOTIFY_SMS_TEMPLATE", "【{product}】{title}")
    worker = district.a.worker
    worker.notify_channel, worker.notify_address = "sms", "13900000001"
    db.session.flush()
    _warn(district.a.police, district.a.grids[0])
    outcomes = sender.send_due()
    assert outcomes["sent"] == 2  # the log channel for all, and the worker's own SMS
    (sms,) = recorder.received
    assert sms.path == "/sms" and sms.headers["authorization"] == "Bearer gw-token"
    assert sms.json["to"] == "13900000001"
    assert sms.json["content"].startswith("【" + app.config["PRODUCT_NAME"] + "】")
    _no_phone(sms.raw)


def test_the_log_channel_writes_no_phone(district, caplog):
    with caplog.at_level(logging.INFO):
        _warn(district.a.police, district.a.grids[0])
        assert sender.send_due()["sent"] == 1
    assert "warning_new" in caplog.text
    _no_phone(caplog.text)


def test_a_failing_webhook_backs_off_then_gives_up(app, district, notify_to, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 3)
    server = notify_to("json")
    server.answers.extend([(500, b"{}"), (503, b"{}"), (502, b"{}")])
    now = utcnow()
    _warn(district.a.police, district.a.grids[0], now=now)
    assert sender.send_due(now)["retry"] == 1
    assert sender.send_due(now + timedelta(seconds=31))["retry"] == 1
    assert sender.send_due(now + timedelta(seconds=31 + 59))["retry"] == 0  # 60 s the second time
    assert sender.send_due(now + timedelta(seconds=31 + 61))["failed"] == 1
    delivery = db.session.scalar(select(NotificationDelivery))
    assert (
        delivery.status == "failed" and delivery.attempts == 3 and "HTTP 502" in delivery.last_error
    )
    assert len(server.received) == 3


def test_an_unreachable_webhook_is_tried_again(app, district, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_WEBHOOK_URL", "http://127.0.0.1:9/nothing")
    now = utcnow()
    _warn(district.a.police, district.a.grids[0], now=now)
    assert sender.send_due(now)["retry"] == 1


def test_a_claim_left_by_a_sender_that_died_is_taken_again_and_sent_once(app, district, notify_to):
    server = notify_to("json")
    now = utcnow()
    _warn(district.a.police, district.a.grids[0], now=now)
    assert len(sender.claim(now)) == 1  # this sender dies before sending
    assert sender.send_due(now + timedelta(seconds=10))["sent"] == 0
    later = now + timedelta(seconds=app.config["NOTIFY_CLAIM_SECONDS"] + 1)
    assert sender.send_due(later)["sent"] == 1
    assert len(server.received) == 1


def _kinds_to(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .join(NotificationRecipient)
            .where(NotificationRecipient.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_reminders_and_escalation_arrive_at_their_times(district, notify_to):
    server = notify_to("json")
    a = district.a
    start = utcnow().replace(microsecond=0)
    warning = _warn(a.police, a.grids[0], now=start)  # high: 2 hours
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    assert sender.send_due(at(0))["sent"] == 1
    assert sender.send_due(at(59))["planned"] == 0
    assert sender.send_due(at(60))["planned"] == 1  # half the time
    assert sender.send_due(at(61))["planned"] == 0
    assert sender.send_due(at(107))["planned"] == 0
    assert sender.send_due(at(108))["planned"] == 1  # nine-tenths
    assert sender.send_due(at(120))["planned"] == 0  # due, not yet late
    assert sender.send_due(at(121))["planned"] == 1  # escalated: the community's coordinator
    assert sender.send_due(at(240))["planned"] == 0
    assert sender.send_due(at(241))["planned"] == 1  # and then the street's
    kinds = [r.json["kind"] for r in server.received]
    assert kinds == [
        "warning_new",
        "warning_reminder",
        "warning_due_soon",
        "warning_escalated",
        "warning_escalated",
    ]
    assert _kinds_to(a.worker) == ["warning_new", "warning_reminder", "warning_due_soon"]
    # The community has no coordinator of its own: the street's answers for it, then again.
    assert _kinds_to(a.coordinator) == ["warning_escalated", "warning_escalated"]
    assert [r.json["warning_id"] for r in server.received] == [warning.id] * 5
    for got in server.received:
        _no_phone(got.raw)


def test_a_community_coordinator_hears_first_when_there_is_one(district, notify_to):
    notify_to("json")
    a = district.a
    own = make_user(role="coordinator", area=a.community)
    start = utcnow()
    _warn(a.police, a.grids[0], now=start)
    sender.send_due(start + timedelta(hours=2, minutes=1))
    assert _kinds_to(own) == ["warning_escalated"] and _kinds_to(a.coordinator) == []
    sender.send_due(start + timedelta(hours=4, minutes=1))
    assert _kinds_to(a.coordinator) == ["warning_escalated"]


def test_a_sender_that_was_down_sends_only_the_latest_stage(district, notify_to):
    server = notify_to("json")
    start = utcnow()
    _warn(district.a.police, district.a.grids[0], now=start)
    assert sender.send_due(start + timedelta(minutes=115))["planned"] == 1
    assert [r.json["kind"] for r in server.received] == ["warning_new", "warning_due_soon"]


def test_a_handled_warning_gets_no_reminder(district, notify_to):
    notify_to("json")
    start = utcnow()
    warning = _warn(district.a.police, district.a.grids[0], now=start)
    handling.record_outcome(district.a.worker, warning, {"result": "dissuaded"}, now=start)
    assert sender.send_due(start + timedelta(hours=5))["planned"] == 0


def test_an_imported_warning_is_told_like_an_entered_one(district, notify_to):
    from app.services.warnings import imports

    server = notify_to("json")
    grid = district.a.grids[0]
    report = imports.import_warnings(
        district.a.police, f"level,grid,subject_label,phone\n高,{grid.id},李某,{PHONE}\n".encode()
    )
    assert report.ok
    assert sender.send_due()["sent"] == 1
    assert server.received[0].json["kind"] == "warning_new"
    _no_phone(server.received[0].raw)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_only_http_addresses_are_posted_to(app, district, monkeypatch, url):
    monkeypatch.setitem(app.config, "NOTIFY_WEBHOOK_URL", url)
    now = utcnow()
    _warn(district.a.police, district.a.grids[0], now=now)
    assert sender.send_due(now)["retry"] == 1


def test_the_daily_report_goes_to_the_leaders_group_once_a_day(app, district, notify_to):
    server = notify_to("wecom")
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["send-daily-report", "--date", "2026-11-30"])
        assert result.exit_code == 0, result.output
    assert sender.send_due()["sent"] == 1
    content = server.received[0].json["text"]["content"]
    assert content.startswith("【反诈日报】2026-11-30") and "2026年11月30日" in content
    told = db.session.scalars(
        select(NotificationRecipient.user_id)
        .join(Notification)
        .where(Notification.kind == "daily_report")
    ).all()
    assert told == [district.leader.id]
