"""The channels a notification goes out through, behind one small interface of ours.

`send(message, address)` delivers or raises DeliveryError; nothing else of the sender knows a
channel's wire format. HTTP goes through the standard library (http and https only, a timeout,
no redirects followed). A message never carries a resident's phone number: the outbox writes
none into the title or text, and the recipients are GridReach's own people.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The channel did not take the message; the sender tries again later."""


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class Message:
    """What every channel gets: the contract's JSON fields, and a key receivers may dedupe on."""

    kind: str
    title: str
    text: str
    recipients: list[Recipient] = field(default_factory=list)
    warning_id: int | None = None
    deadline_at: str | None = None
    delivery_key: str = ""

    def as_json(self) -> dict:
        """The generic webhook's body (API-CONTRACT: notifications)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "recipients": [
                {"user_id": r.user_id, "username": r.username, "display_name": r.display_name}
                for r in self.recipients
            ],
            "warning_id": self.warning_id,
            "deadline_at": self.deadline_at,
        }

    def plain(self) -> str:
        names = "、".join(r.display_name or r.username for r in self.recipients)
        return f"{self.title}\n{self.text}" + (f"\n@{names}" if names else "")


class Channel(Protocol):
    def send(self, message: Message, address: str | None) -> None: ...


class LogChannel:
    """Development: one log line per message (no text: titles and ids are enough to follow)."""

    def send(self, message: Message, address: str | None) -> None:
        log.info(
            "notification %s %s to users %s: %s",
            message.delivery_key,
            message.kind,
            [r.user_id for r in message.recipients],
            message.title,
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, body: dict, timeout: float, headers: dict | None = None) -> bytes:
    """POST a JSON body; the answer's bytes on 2xx, DeliveryError otherwise."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("the address is not an http(s) URL")
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return answer.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DeliveryError(type(error).__name__) from None


def _robot_answer(raw: bytes) -> None:
    """WeCom and DingTalk answer 200 with {"errcode": N}; anything but 0 is a refusal."""
    try:
        code = json.loads(raw or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        raise DeliveryError("the robot's answer is not JSON") from None
    if code != 0:
        raise DeliveryError(f"robot errcode {code}")


@dataclass
class WebhookChannel:
    """The generic JSON webhook: the contract's body as it stands."""

    url: str
    timeout: float = 10

    def send(self, message: Message, address: str | None) -> None:
        headers = {"X-GridReach-Delivery": message.delivery_key}
        post_json(address or self.url, message.as_json(), self.timeout, headers)


@dataclass
class WeComChannel:
    """A WeCom (企业微信) group robot: a text message."""

    url: str
    timeout: float = 10

    def send(self, message: Message, address: str | None) -> None:
        body = {"msgtype": "text", "text": {"content": message.plain()}}
        _robot_answer(post_json(address or self.url, body, self.timeout))


@dataclass
class DingTalkChannel:
    """A DingTalk (钉钉, also 浙政钉) group robot: a text message, signed when a secret is set."""

    url: str
    secret: str = ""
    timeout: float = 10

    def signed(self, url: str) -> str:
        if not self.secret:
            return url
        stamp = str(int(time.time() * 1000))
        digest = hmac.new(
            self.secret.encode(), f"{stamp}\n{self.secret}".encode(), hashlib.sha256
        ).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"

    def send(self, message: Message, address: str | None) -> None:
        body = {"msgtype": "text", "text": {"content": message.plain()}}
        _robot_answer(post_json(self.signed(address or self.url), body, self.timeout))


@dataclass
class SmsChannel:
    """An SMS gateway over HTTP: POST {"to", "content"}; content from a template of {product},
    {title}, {text} (replaced literally, nothing else of the template is interpreted)."""

    url: str
    template: str
    product: str
    token: str = ""
    timeout: float = 10

    def content(self, message: Message) -> str:
        return (
            self.template.replace("{product}", self.product)
            .replace("{title}", message.title)
            .replace("{text}", message.text)
        )

    def send(self, message: Message, address: str | None) -> None:
        if not address:
            raise DeliveryError("no phone number for SMS")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        body = {"to": address, "content": self.content(message), "id": message.delivery_key}
        post_json(self.url, body, self.timeout, headers)


WEBHOOK_FORMATS = {"json": "webhook", "wecom": "wecom", "dingtalk": "dingtalk"}


def default_channel(config) -> str:
    """The channel everyone's notifications go through: the webhook's format, or the log."""
    if not config.get("NOTIFY_WEBHOOK_URL"):
        return "log"
    return WEBHOOK_FORMATS.get(config.get("NOTIFY_WEBHOOK_FORMAT") or "json", "webhook")


def channel_for(name: str, config) -> Channel:
    """The channel object for a name, built from the settings."""
    url, timeout = config.get("NOTIFY_WEBHOOK_URL", ""), config["NOTIFY_TIMEOUT_SECONDS"]
    if name == "webhook":
        return WebhookChannel(url, timeout)
    if name == "wecom":
        return WeComChannel(url, timeout)
    if name == "dingtalk":
        return DingTalkChannel(url, config.get("NOTIFY_DINGTALK_SECRET", ""), timeout)
    if name == "sms":
        return SmsChannel(
            config.get("NOTIFY_SMS_URL", ""),
            config["NOTIFY_SMS_TEMPLATE"],
            config.get("PRODUCT_NAME", "GridReach"),
            config.get("NOTIFY_SMS_TOKEN", ""),
            timeout,
        )
    return LogChannel()
