"""Senders as real processes on the test database: two at once never send a delivery twice, and
one killed mid-send loses nothing (its claim is taken again once stale)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import NotificationDelivery
from tests.factories import make_notification

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _sender(app, url: str, *args: str, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "NOTIFY_WEBHOOK_URL": url,
        "NOTIFY_WEBHOOK_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "send-notifications", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _outbox(count: int, district) -> None:
    for i in range(count):
        make_notification(recipients=[district.a.worker], title=f"任务 {i}")
    db.session.commit()


def test_two_senders_at_once_send_every_delivery_exactly_once(app, committing, district, recorder):
    _outbox(120, district)
    recorder.delay = 0.01  # each message takes a moment, so the two senders overlap
    senders = [_sender(app, recorder.url, "--once") for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in senders]
    for process, (_out, err) in zip(senders, outputs, strict=True):
        assert process.returncode == 0, err.decode()[-2000:]
    keys = Counter(r.headers["x-gridreach-delivery"] for r in recorder.received)
    assert len(keys) == 120 and max(keys.values()) == 1
    db.session.remove()
    statuses = dict(
        db.session.execute(
            select(NotificationDelivery.status, func.count()).group_by(NotificationDelivery.status)
        ).all()
    )
    assert statuses == {"sent": 120}


def test_a_sender_killed_mid_send_loses_nothing(app, committing, district, recorder):
    _outbox(3, district)
    recorder.answers.append((200, b"{}", 60))  # the first message hangs on the wire
    first = _sender(app, recorder.url, "--poll", "0.2")
    deadline = time.monotonic() + 60
    while not recorder.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recorder.received, first.stderr.read().decode()[-2000:] if first.poll() else ""
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    db.session.remove()
    sending = db.session.scalar(
        select(func.count()).where(NotificationDelivery.status == "sending")
    )
    assert sending >= 1  # claimed by the dead sender, not sent
    time.sleep(1.2)
    second = _sender(app, recorder.url, "--once", NOTIFY_CLAIM_SECONDS="1")
    _out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()[-2000:]
    db.session.remove()
    rows = db.session.execute(select(NotificationDelivery.id, NotificationDelivery.status)).all()
    assert {status for _id, status in rows} == {"sent"} and len(rows) == 3
    keys = Counter(r.headers["x-gridreach-delivery"] for r in recorder.received)
    assert set(keys) == {f"gridreach-{i}" for i, _s in rows}
    # Only the one on the wire when the sender died can arrive twice, under the same key.
    assert sum(keys.values()) <= 4
