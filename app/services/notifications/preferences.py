"""A person's own notification channel (notify_channel, notify_address), set by that person.

A robot's URL carries its key, so it is never shown back whole, and only the chat services'
own hosts are accepted: a person must not make the sender post to an address of their choosing
(an internal service, say). A plain webhook of one's own is for admins, who run the system."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.errors import Invalid
from app.extensions import db
from app.models import User
from app.policy import can, require
from app.services.audit import record_event
from app.services.notifications.outbox import PERSONAL_CHANNELS
from app.services.phones import normalize_phone

# The chat robots' send URLs: https, this host, this path, and the key in this query parameter.
ROBOT_URLS = {
    "wecom": ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
    "dingtalk": ("oapi.dingtalk.com", "/robot/send", "access_token"),
}


def channels_for(user: User) -> tuple[str, ...]:
    """The channels this person may choose here: SMS only where a gateway is configured."""
    offered = []
    for channel in PERSONAL_CHANNELS:
        if channel == "sms" and not current_app.config.get("NOTIFY_SMS_URL"):
            continue
        if channel == "webhook" and not can(user, "update", "notify_webhook"):
            continue
        offered.append(channel)
    return tuple(offered)


def describe(user: User) -> dict[str, Any]:
    """The person's setting as they may read it back: the address masked."""
    require(user, "read", "self")
    return {
        "channel": user.notify_channel,
        "address": masked_address(user.notify_channel, user.notify_address),
        "channels": channels_for(user),
    }


def set_channel(actor: User, data: dict[str, Any]) -> User:
    """Set (or, with no channel, clear) the person's own channel; the address is checked for it."""
    require(actor, "update", "notify_channel")
    channel = data.get("channel") or None
    address = (data.get("address") or "").strip() or None
    if channel is None:
        actor.notify_channel = actor.notify_address = None
    else:
        if channel not in channels_for(actor):
            raise Invalid(_l("cannot be chosen"), {"channel": _l("not offered here")})
        actor.notify_channel, actor.notify_address = channel, _checked(channel, address, actor)
    db.session.flush()
    record_event(actor, "user.notify_channel", actor, channel=channel)
    return actor


def _checked(channel: str, address: str | None, actor: User) -> str | None:
    if channel == "sms":
        if address is None:
            if not actor.phone:
                raise Invalid(_l("no number"), {"address": _l("give a mobile number")})
            return None  # the person's own phone
        number = normalize_phone(address)
        if not (len(number) == 11 and number.isdigit() and number.startswith("1")):
            raise Invalid(_l("not a mobile number"), {"address": _l("an 11-digit mobile number")})
        return number
    if address is None:
        raise Invalid(_l("missing address"), {"address": _l("the robot's or webhook's URL")})
    parts = urlsplit(address)
    if channel in ROBOT_URLS:
        host, path, key = ROBOT_URLS[channel]
        keys = dict(parse_qsl(parts.query))
        if (parts.scheme, parts.hostname, parts.path) != ("https", host, path) or not keys.get(key):
            raise Invalid(
                _l("not a robot URL"),
                {
                    "address": _l(
                        "https://%(host)s%(path)s?%(key)s=…", host=host, path=path, key=key
                    )
                },
            )
        return address
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(_l("not a URL"), {"address": _l("an http or https URL")})
    return address


def masked_address(channel: str | None, address: str | None) -> str | None:
    """A robot or webhook URL as host and the key's last 4; a number as 138****1234."""
    if not address:
        return None
    if channel == "sms":
        return f"{address[:3]}****{address[-4:]}" if len(address) >= 8 else "****"
    parts = urlsplit(address)
    query = parse_qsl(parts.query)
    tail = query[-1][1][-4:] if query and query[-1][1] else ""
    return f"{parts.scheme}://{parts.hostname}{parts.path}" + (f"?…{tail}" if tail else "")
