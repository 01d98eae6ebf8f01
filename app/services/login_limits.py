"""Failed-login limits, per account and per address, counted where every worker process sees them.

The counters live in RATELIMIT_STORAGE_URI (Redis in production, so that four gunicorn
workers share one budget). When that storage fails, counting carries on in this process's
memory until it answers again: a login never fails because the counter store is down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.errors import TooManyAttempts

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_PRIMARY_AFTER = (
    10.0  # seconds on the in-memory fallback before trying the shared storage again
)
# A store that stops answering must not hold a login for long.
REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class LoginLimits:
    """The two failure limits of one app, and the addresses that logged in lately."""

    def __init__(self, uri: str, per_account: str, per_address: str):
        options = REDIS_OPTIONS if uri.startswith(("redis", "rediss", "valkey")) else {}
        self.primary = MovingWindowRateLimiter(storage_from_string(uri, **options))
        self.fallback = MovingWindowRateLimiter(MemoryStorage())
        self.per_account = parse(per_account)
        self.per_address = parse(per_address)
        self._down_since: float | None = None

    def _run(self, action: Callable[[MovingWindowRateLimiter], T]) -> T:
        """Run on the shared storage; on a storage error, on this process's memory."""
        if self._down_since is None or time.monotonic() - self._down_since > RETRY_PRIMARY_AFTER:
            try:
                result = action(self.primary)
            except Exception:  # any storage or network error: count in memory instead
                if self._down_since is None:
                    log.warning(
                        "login limit storage failed; counting in memory meanwhile", exc_info=True
                    )
                self._down_since = time.monotonic()
            else:
                if self._down_since is not None:
                    log.warning("login limit storage answers again")
                self._down_since = None
                return result
        return action(self.fallback)

    def check(self, account: str, address: str) -> bool:
        """Refuse a blocked account or address; True when the address is over its limit but
        logged in lately (then only the right password gets through)."""
        if not self._run(lambda lim: lim.test(self.per_account, "account", account)):
            raise TooManyAttempts(self._reset_at(self.per_account, "account", account))
        if self._run(lambda lim: lim.test(self.per_address, "address", address)):
            return False
        if self.address_logged_in_lately(address):
            return True
        raise TooManyAttempts(self._reset_at(self.per_address, "address", address))

    def record_failure(self, account: str, address: str) -> None:
        self._run(lambda lim: lim.hit(self.per_account, "account", account))
        self._run(lambda lim: lim.hit(self.per_address, "address", address))

    def record_success(self, address: str) -> None:
        """Remember the address for one address window."""
        expiry = self.per_address.get_expiry()
        self._run(lambda lim: lim.storage.incr(self._good_key(address), expiry))

    def address_logged_in_lately(self, address: str) -> bool:
        return self._run(lambda lim: lim.storage.get(self._good_key(address))) > 0

    def spend(
        self, limit: str, kind: str, key: str, error: type[TooManyAttempts] = TooManyAttempts
    ) -> None:
        """Count one more of something limited (an SMS code sent to a phone, from an address);
        `error`, counting nothing, when `limit` (e.g. "3 per 15 minutes") is used up."""
        item = parse(limit)
        if not self._run(lambda lim: lim.hit(item, kind, key)):
            raise error(self._reset_at(item, kind, key))

    def too_many(self, address: str) -> TooManyAttempts:
        return TooManyAttempts(self._reset_at(self.per_address, "address", address))

    def locked_until(self, account: str) -> datetime | None:
        """When a blocked account may try again; None when it is not blocked."""
        if self._run(lambda lim: lim.test(self.per_account, "account", account)):
            return None
        return self._reset_at(self.per_account, "account", account)

    def unlock(self, account: str) -> None:
        """Forget the account's failures."""
        self._run(lambda lim: lim.clear(self.per_account, "account", account))

    def reset(self) -> None:
        """Forget everything (tests)."""
        for limiter in (self.primary, self.fallback):
            limiter.storage.reset()

    def _reset_at(self, item: RateLimitItem, *identifiers: str) -> datetime:
        stats = self._run(lambda lim: lim.get_window_stats(item, *identifiers))
        return datetime.fromtimestamp(max(stats.reset_time, time.time() + 1), UTC)

    @staticmethod
    def _good_key(address: str) -> str:
        return f"gridreach/login-ok/{address}"


def account_key(username: str) -> str:
    """One counter per login name, however it is typed."""
    return str(username or "").strip().lower()[:64]


def init_app(app: Flask) -> None:
    """Bind this app's limits to the storage its configuration names."""
    app.extensions["login_limits"] = LoginLimits(
        app.config["RATELIMIT_STORAGE_URI"],
        app.config["LOGIN_FAILURES_PER_ACCOUNT"],
        app.config["LOGIN_FAILURES_PER_ADDRESS"],
    )
    if app.config.get("PRODUCTION") and app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: every worker process counts failed logins on its own, "
            "multiplying the limits by the number of workers; set it to redis://HOST:PORT/N"
        )


def current() -> LoginLimits:
    return current_app.extensions["login_limits"]
