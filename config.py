"""Configuration read from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-only-change-me"


def database_url(raw: str | None, default: str) -> str:
    """Turn a URL as PostgreSQL tools write it into one SQLAlchemy loads with psycopg 3."""
    url = raw or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class Config:
    """Settings for development; every value can come from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    # Old keys still verify signed QR tokens and sessions after a key rotation.
    SECRET_KEY_FALLBACKS = _split(os.environ.get("SECRET_KEY_FALLBACKS"))
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL"), f"sqlite:///{BASE_DIR / 'instance' / 'gridreach.db'}"
    )
    # A streaming replica for the dashboards and reports (app/replica.py); unset, they read the primary.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
    SQLALCHEMY_BINDS = (
        {"replica": database_url(DATABASE_REPLICA_URL, "")} if DATABASE_REPLICA_URL else {}
    )
    # hide_parameters: a database error's message (and so its log line) never shows the values.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    # PostgreSQL: psycopg prepares a statement on the server after its fifth run on a connection,
    # so PostgreSQL stops planning it again. Behind PgBouncer in transaction pooling (Debian 12's
    # 1.18) the next transaction may be on a server connection that never heard of it: set 0 there.
    DATABASE_PREPARED_STATEMENTS = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    TIMEZONE = "Asia/Shanghai"

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    # Compiled by `make install`; production refuses to start without the zh catalogue.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    # One line per request and errors with their traceback, to stderr or to LOG_FILE.
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    LOG_FILE = os.environ.get("LOG_FILE", "")
    # Retention (flask --app app purge-expired): positions coarsened, residents' phones erased.
    CHECKIN_POSITION_RETENTION_DAYS = int(os.environ.get("CHECKIN_POSITION_RETENTION_DAYS", "180"))
    WARNING_PHONE_RETENTION_DAYS = int(os.environ.get("WARNING_PHONE_RETENTION_DAYS", "90"))
    # Finished background jobs keep their import report this long (the uploaded file is dropped at once).
    JOB_RETENTION_DAYS = int(os.environ.get("JOB_RETENTION_DAYS", "30"))
    # Notifications older than this are deleted by purge-expired (with recipients and deliveries).
    NOTIFICATION_RETENTION_DAYS = int(os.environ.get("NOTIFICATION_RETENTION_DAYS", "90"))
    # A check-in's or visit's client_id is kept this long (purge-expired deletes older keys): a
    # retry sent later than this would be stored again. Phones send their outbox within hours.
    IDEMPOTENCY_KEEP_DAYS = int(os.environ.get("IDEMPOTENCY_KEEP_DAYS", "30"))

    # The name people read in titles, the top bar and on posters; the English one on English pages.
    PRODUCT_NAME = os.environ.get("PRODUCT_NAME", "反诈网格通")
    # Where the public page sends residents for the national anti-fraud app (国家反诈中心APP); unset,
    # the page tells them to search for it in their phone's app store.
    ANTIFRAUD_APP_URL = os.environ.get("ANTIFRAUD_APP_URL", "")
    PRODUCT_NAME_EN = os.environ.get("PRODUCT_NAME_EN", "GridReach")

    API_TITLE = "GridReach API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    API_TOKEN_TTL = timedelta(days=int(os.environ.get("API_TOKEN_TTL_DAYS", "30")))
    # How long a printed one-time sign-in code stays good.
    # Sign-ups through a printed invite, per address (the public form creates accounts).
    INVITE_JOINS_PER_ADDRESS = os.environ.get("INVITE_JOINS_PER_ADDRESS", "20 per hour")
    SIGN_IN_CODE_TTL = timedelta(days=int(os.environ.get("SIGN_IN_CODE_TTL_DAYS", "14")))
    # A signed-in person's one-time link out of WeChat's browser: short-lived, and made at most
    # this often per person.
    BROWSER_LINK_TTL = timedelta(minutes=int(os.environ.get("BROWSER_LINK_TTL_MINUTES", "10")))
    BROWSER_LINKS_PER_USER = os.environ.get("BROWSER_LINKS_PER_USER", "5 per 10 minutes")
    # SMS login codes (offered only where NOTIFY_SMS_URL is set): how long one stays good, how
    # many wrong tries kill it, and how many may be sent per phone number and per address.
    SMS_CODE_TTL = timedelta(minutes=int(os.environ.get("SMS_CODE_TTL_MINUTES", "5")))
    SMS_CODE_TRIES = int(os.environ.get("SMS_CODE_TRIES", "5"))
    SMS_CODES_PER_PHONE = os.environ.get("SMS_CODES_PER_PHONE", "3 per 15 minutes")
    SMS_CODES_PER_ADDRESS = os.environ.get("SMS_CODES_PER_ADDRESS", "20 per hour")
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # Lax, not Strict: a phone's camera app opening a scanned /c/TOKEN link is a cross-site
    # navigation, and the worker must arrive logged in.
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Limits keep counting in memory when that storage is down, rather than failing requests.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Coverage roll-ups kept in Redis (redis://HOST:PORT/N), invalidated by every write they
    # depend on (app/services/rollup_cache.py); empty: computed on every request.
    ROLLUP_CACHE_URL = os.environ.get("ROLLUP_CACHE_URL", "")
    ROLLUP_CACHE_SECONDS = int(os.environ.get("ROLLUP_CACHE_SECONDS", "900"))
    # With a read replica: after a write, roll-ups are not stored for this long (replica lag).
    ROLLUP_CACHE_SETTLE_SECONDS = float(os.environ.get("ROLLUP_CACHE_SETTLE_SECONDS", "5"))
    # Failed logins only: an office behind one address must still log in freely.
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "50 per 15 minutes")

    # Warning deadlines per level, in hours (the bureau's defaults: 2 h, 24 h, 72 h), and the
    # local hour by which each day's open warnings are cleared to zero (每日 X 时前回头看).
    WARNING_DEADLINE_HOURS = {
        "high": float(os.environ.get("WARNING_HOURS_HIGH", "2")),
        "medium": float(os.environ.get("WARNING_HOURS_MEDIUM", "24")),
        "low": float(os.environ.get("WARNING_HOURS_LOW", "72")),
    }
    WARNING_ZEROING_HOUR = int(os.environ.get("WARNING_ZEROING_HOUR", "9"))

    # Notifications: the channel everyone's are sent through (a generic JSON webhook, or a WeCom
    # or DingTalk group robot, by NOTIFY_WEBHOOK_FORMAT; the log when no URL is set), an SMS
    # gateway for people whose own channel is SMS, and how the sender retries.
    NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "")
    NOTIFY_WEBHOOK_FORMAT = os.environ.get("NOTIFY_WEBHOOK_FORMAT", "json")
    NOTIFY_DINGTALK_SECRET = os.environ.get("NOTIFY_DINGTALK_SECRET", "")
    NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL", "")
    NOTIFY_SMS_TOKEN = os.environ.get("NOTIFY_SMS_TOKEN", "")
    NOTIFY_SMS_TEMPLATE = os.environ.get("NOTIFY_SMS_TEMPLATE", "【{product}】{title}：{text}")
    NOTIFY_TIMEOUT_SECONDS = float(os.environ.get("NOTIFY_TIMEOUT_SECONDS", "10"))
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
    NOTIFY_RETRY_SECONDS = float(os.environ.get("NOTIFY_RETRY_SECONDS", "30"))
    NOTIFY_RETRY_MAX_SECONDS = float(os.environ.get("NOTIFY_RETRY_MAX_SECONDS", "3600"))
    NOTIFY_POLL_SECONDS = float(os.environ.get("NOTIFY_POLL_SECONDS", "5"))
    NOTIFY_CLAIM_SECONDS = int(os.environ.get("NOTIFY_CLAIM_SECONDS", "300"))
    # The four must-checks (四必查): a case's loss from which it is checked (yuan), how many cases
    # in a community within MUST_CHECK_WINDOW_DAYS, and how many at one place (a site or an address).
    MUST_CHECK_LOSS = float(os.environ.get("MUST_CHECK_LOSS", "50000"))
    MUST_CHECK_COMMUNITY_CASES = int(os.environ.get("MUST_CHECK_COMMUNITY_CASES", "3"))
    MUST_CHECK_PLACE_CASES = int(os.environ.get("MUST_CHECK_PLACE_CASES", "2"))
    MUST_CHECK_WINDOW_DAYS = int(os.environ.get("MUST_CHECK_WINDOW_DAYS", "30"))
    # Every new case makes a return visit (发案必回访) due within this many local days.
    RETURN_VISIT_DAYS = int(os.environ.get("RETURN_VISIT_DAYS", "7"))
    # Red/yellow cards: cases per 10,000 residents in a period.
    CARD_RED_PER_10K = float(os.environ.get("CARD_RED_PER_10K", "3"))
    CARD_YELLOW_PER_10K = float(os.environ.get("CARD_YELLOW_PER_10K", "1.5"))

    # How many proxies in front append to X-Forwarded-For/-Proto/-Host; the client's address is
    # the one the outermost of them saw. 0 trusts no such header (a client could forge them).
    # PROXY_FIX=1, the older setting, means 1.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES") or (
        "1" if os.environ.get("PROXY_FIX") == "1" else "0"
    )
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    # Whether workers see the leaderboard of their area's people on the phone (readers always do).
    LEADERBOARD_FOR_WORKERS = os.environ.get("LEADERBOARD_FOR_WORKERS") == "1"
    # Photos (POST /photos): the largest original accepted, where the files live (app/photo_store.py),
    # and how long they are kept (purge-expired deletes older ones).
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
    PHOTO_RETENTION_MONTHS = int(os.environ.get("PHOTO_RETENTION_MONTHS", "12"))
    PHOTO_STORAGE = os.environ.get("PHOTO_STORAGE", "disk")
    PHOTO_DIR = os.environ.get("PHOTO_DIR", "")  # default: instance/photos
    PHOTO_S3_BUCKET = os.environ.get("PHOTO_S3_BUCKET", "")
    PHOTO_S3_ENDPOINT_URL = os.environ.get("PHOTO_S3_ENDPOINT_URL", "")
    PHOTO_S3_REGION = os.environ.get("PHOTO_S3_REGION", "")
    PHOTO_S3_ACCESS_KEY = os.environ.get("PHOTO_S3_ACCESS_KEY", "")
    PHOTO_S3_SECRET_KEY = os.environ.get("PHOTO_S3_SECRET_KEY", "")
    # Imports (households, warnings, cases): files of more rows than IMPORT_SYNC_ROWS run as
    # background jobs; past the other limits a file is refused with 413 naming the limit.
    IMPORT_SYNC_ROWS = int(os.environ.get("IMPORT_SYNC_ROWS", "5000"))
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
    IMPORT_MAX_BYTES = MAX_CONTENT_LENGTH
    IMPORT_MAX_INFLATED = 200 * 1024 * 1024
    # The background worker (flask --app app worker): a job whose worker stopped sending
    # progress for this long is queued again.
    JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "600"))
    JOB_POLL_SECONDS = float(os.environ.get("JOB_POLL_SECONDS", "2"))
    # Base map tiles (see README, "Base maps"): a Leaflet URL template, the datum its tiles are
    # drawn in (wgs84 for Tianditu, gcj02 for AMap), the letters {s} stands for, the credit line.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_DATUM = os.environ.get("MAP_TILE_DATUM", "wgs84")
    MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "abc")
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
    # Strict-Transport-Security max-age in seconds; 0 sends none (production sets it).
    HSTS_MAX_AGE = 0


class TestingConfig(Config):
    """Settings for the test suite; TEST_DATABASE_URL picks the engine."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL"), "sqlite://")
    DATABASE_REPLICA_URL = ""
    SQLALCHEMY_BINDS = {}  # the replica's tests name theirs
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    PUBLIC_BASE_URL = "http://gridreach.test"
    # Request lines only where a test asks for them.
    LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    """Settings for a real district; refuses the development secret."""

    PRODUCTION = True
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # __Host- cookies are Secure, for Path=/ and this host only (no Domain): a sibling subdomain
    # cannot set or overwrite them. Browsers refuse the prefix on a cookie that is not Secure.
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token" if SESSION_COOKIE_SECURE else "remember_token"
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))


CONFIGS = {"development": Config, "testing": TestingConfig, "production": ProductionConfig}
