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
    # hide_parameters: a database error's message (and so its log line) never shows the values.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
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
    # Failed logins only: an office behind one address must still log in freely.
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "50 per 15 minutes")

    # Warning deadlines per level, in hours (the bureau's defaults).
    WARNING_DEADLINE_HOURS = {"high": 2, "medium": 24, "low": 72}
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
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_DATUM = os.environ.get("MAP_TILE_DATUM", "wgs84")
    # Strict-Transport-Security max-age in seconds; 0 sends none (production sets it).
    HSTS_MAX_AGE = 0


class TestingConfig(Config):
    """Settings for the test suite; TEST_DATABASE_URL picks the engine."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL"), "sqlite://")
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
