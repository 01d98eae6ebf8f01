"""My notifications over the API, and my own channel (set by me, shown back masked, never an
address of my choosing for the sender to post to)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import NotificationDelivery, User
from app.services.notifications import outbox

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _tell(*people, title="高危预警", link=None):
    note = outbox.notify("test", people, title, "请于 2 小时内见面劝阻", link=link)
    db.session.commit()
    return note


def test_my_notifications_unread_first_and_marked_read_once(api, district):
    a = district.a
    first = _tell(a.worker, title="第一条")
    second = _tell(a.worker, a.coordinator, title="第二条")
    _tell(a.coordinator, title="别人的")
    listed = api.get("/notifications", user=a.worker).get_json()
    assert [n["title"] for n in listed["items"]] == ["第二条", "第一条"] and listed["total"] == 2
    assert all(n["read_at"] is None for n in listed["items"])
    marked = api.post("/notifications/read", user=a.worker, json={"id": first.id}).get_json()
    assert marked == {"marked": 1, "unread": 1}
    assert api.post("/notifications/read", user=a.worker, json={"id": first.id}).get_json() == {
        "marked": 0,
        "unread": 1,
    }
    after = api.get("/notifications", user=a.worker).get_json()["items"]
    assert [n["id"] for n in after] == [second.id, first.id] and after[1]["read_at"]
    # Someone else's notification cannot be marked through mine.
    other = api.post("/notifications/read", user=a.worker, json={"id": 10**6}).get_json()
    assert other["marked"] == 0
    everything = api.post("/notifications/read", user=a.coordinator, json={}).get_json()
    assert everything == {"marked": 2, "unread": 0}
    bad = api.post("/notifications/read", user=a.worker, json={"id": "1; drop"})
    assert bad.status_code == 422 and "id" in bad.get_json()["errors"]["json"]


def test_a_wecom_robot_is_kept_and_shown_back_masked(api, district):
    worker = district.a.worker
    answer = api.put(
        "/notifications/channel", user=worker, json={"channel": "wecom", "address": WECOM}
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["channel"] == "wecom" and body["address"].endswith("?…5aaa")
    assert "693a91f6" not in str(body)
    assert "sms" not in body["channels"] and "webhook" not in body["channels"]
    db.session.expire_all()
    assert db.session.get(User, worker.id).notify_address == WECOM
    # A notification now also goes to the robot.
    note = _tell(worker)
    channels = db.session.scalars(
        select(NotificationDelivery.channel).where(NotificationDelivery.notification_id == note.id)
    ).all()
    assert "wecom" in channels
    cleared = api.put("/notifications/channel", user=worker, json={"channel": ""}).get_json()
    assert (cleared["channel"], cleared["address"]) == (None, None)


@pytest.mark.parametrize(
    "body, field",
    [
        (
            {"channel": "wecom", "address": "http://127.0.0.1:6379/cgi-bin/webhook/send?key=x"},
            "address",
        ),
        (
            {
                "channel": "wecom",
                "address": "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=x",
            },
            "address",
        ),
        ({"channel": "dingtalk", "address": "https://oapi.dingtalk.com/robot/send"}, "address"),
        ({"channel": "webhook", "address": "http://10.0.0.5/hook"}, "channel"),
        ({"channel": "sms"}, "channel"),  # no SMS gateway configured in the tests
        ({"channel": "fax"}, "channel"),
        ({"channel": "wecom", "address": "x" * 501}, "address"),
    ],
)
def test_a_channel_the_sender_must_not_use_is_refused(api, district, body, field):
    worker = district.a.worker
    answer = api.put("/notifications/channel", user=worker, json=body)
    assert answer.status_code == 422
    assert field in str(answer.get_json()["errors"])
    db.session.expire_all()
    assert db.session.get(User, worker.id).notify_channel is None


def test_admins_may_set_a_plain_webhook_and_sms_where_a_gateway_is(api, app, district, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", "http://127.0.0.1:9/sms")
    admin = district.admin
    hook = api.put(
        "/notifications/channel",
        user=admin,
        json={
            "channel": "webhook",
            "address": "https://hooks.example.org/gridreach?token=abcd1234",
        },
    ).get_json()
    assert (
        hook["channel"] == "webhook"
        and hook["address"] == "https://hooks.example.org/gridreach?…1234"
    )
    worker = district.a.worker
    sms = api.put(
        "/notifications/channel", user=worker, json={"channel": "sms", "address": "139 0000 1234"}
    ).get_json()
    assert (sms["channel"], sms["address"]) == ("sms", "139****1234")
    assert api.get("/notifications/channel", user=worker).get_json()["address"] == "139****1234"
    bad = api.put(
        "/notifications/channel", user=worker, json={"channel": "sms", "address": "12345"}
    )
    assert bad.status_code == 422 and "address" in str(bad.get_json()["errors"])


def test_the_channel_page_saves_and_refuses_with_the_field(client, login_as, district):
    worker = district.a.worker
    login_as(worker)
    page = client.get("/notifications/channel")
    assert page.status_code == 200 and 'name="channel"' in page.get_data(as_text=True)
    assert 'value="webhook"' not in page.get_data(as_text=True)
    refused = client.post(
        "/notifications/channel", data={"channel": "wecom", "address": "https://example.org/x"}
    )
    assert refused.status_code == 422
    assert 'data-field="address"' in refused.get_data(as_text=True)
    saved = client.post("/notifications/channel", data={"channel": "wecom", "address": WECOM})
    assert saved.status_code == 302
    shown = client.get("/notifications/channel").get_data(as_text=True)
    assert "…5aaa" in shown and "693a91f6" not in shown
    assert "/notifications/channel" in client.get("/notifications").get_data(as_text=True)
