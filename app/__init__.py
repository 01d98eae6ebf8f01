"""GridReach: organising anti-fraud publicity street by street."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.cookie_session import CookieSessionInterface
from app.json_body import JSONProvider
from app.models.base import INT32_MAX
from config import CONFIGS, DEFAULT_SECRET_KEY, Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application from small register_* steps."""
    if config_class is None:
        config_class = CONFIGS.get(os.environ.get("GRIDREACH_ENV", "development"), Config)
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
        instance_path=str(ROOT / "instance"),
    )
    app.url_map.converters["int"] = IdConverter
    app.json = JSONProvider(app)
    app.session_interface = CookieSessionInterface()
    app.config.from_object(config_class)
    check_config(app)
    from app.logging_setup import configure_logging

    configure_logging(app)  # first, so that its request clock starts before any other hook
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    register_extensions(app)
    register_transactions(app)
    from app.security_headers import register_security_headers

    register_security_headers(app)
    register_blueprints(app)
    register_cli(app)
    from app.errors import register_error_handlers

    register_error_handlers(app)
    return app


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: a number past the 32-bit id columns is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)


def check_config(app: Flask) -> None:
    """Refuse unsafe production settings and bad proxy counts; make sure the SQLite folder exists."""
    production = app.config.get("PRODUCTION") or os.environ.get("GRIDREACH_ENV") == "production"
    if production and app.config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        raise RuntimeError("SECRET_KEY must be set in production")
    if production:
        check_catalogues(app)
    proxies = str(app.config.get("TRUSTED_PROXIES") or 0).strip()
    if proxies == "0" and app.config.get("PROXY_FIX"):  # the older setting
        proxies = "1"
    if not proxies.isdecimal() or int(proxies) > 10:
        raise RuntimeError(f"TRUSTED_PROXIES must be a number of proxies (0-10), not {proxies!r}")
    app.config["TRUSTED_PROXIES"] = int(proxies)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]).parent.mkdir(
            parents=True, exist_ok=True
        )


def check_catalogues(app: Flask) -> None:
    """Production serves Chinese pages: without the compiled catalogue every page would be English."""
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0])
    for language in app.config["LANGUAGES"]:
        catalogue = directory / language / "LC_MESSAGES" / "messages.po"
        if catalogue.exists() and not catalogue.with_suffix(".mo").exists():
            raise RuntimeError(
                f"the {language} translation catalogue is not compiled "
                f"({catalogue.with_suffix('.mo')} is missing): run `make install` "
                "(or `make install-prod`) in the checkout"
            )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL, a busy timeout and foreign keys, so two workers writing at once wait instead of failing."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_extensions(app: Flask) -> None:
    from flask_babel import gettext

    from app import models  # noqa: F401  (every table on the metadata)
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import LOGIN_MESSAGE, select_locale, select_timezone
    from app.models.base import render_migration_item
    from app.services import login_limits
    from app.services.sessions import load_user, load_user_from_request

    _engine_options(app)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = LOGIN_MESSAGE
    login_manager.localize_callback = gettext
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_user_from_request)
    csrf.init_app(app)
    limiter.init_app(app)
    login_limits.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(ROOT / "app" / "translations"),
    )


def _engine_options(app: Flask) -> None:
    """Without DATABASE_PREPARED_STATEMENTS (PgBouncer in transaction pooling), psycopg sends
    every statement whole: no prepared statement is left on a server connection that the next
    transaction may not get. With them (straight to PostgreSQL) the server plans a statement once
    per connection; a check-in's statements spent about a quarter of its time being planned.

    SQLite's connections are to a file, which no restart closes under the pool: no ping (a
    `SELECT 1` with every request's checkout) before using one."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])  # the class's dict stays as it was
    if url.startswith("sqlite"):
        options.pop("pool_pre_ping", None)
    elif url.startswith("postgresql") and not app.config["DATABASE_PREPARED_STATEMENTS"]:
        options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def register_transactions(app: Flask) -> None:
    """One transaction per request: commit when it succeeded, roll back when the answer is an
    error or a domain error was raised during it (even one a page caught and answered 2xx/3xx)."""
    from flask import has_request_context

    from app.errors import on_domain_error
    from app.extensions import db
    from app.services import rollup_cache
    from app.services.storable import guard_flushes
    from app.services.transactions import watch_writes, wrote

    guard_flushes(db.session)

    def mark_request(_error) -> None:
        if has_request_context():
            g.domain_error = True

    on_domain_error(mark_request)

    watch_writes(db.session)
    rollup_cache.watch()

    @app.after_request
    def commit_or_rollback(response):
        if not db.session.registry.has():
            return response  # the request never used the database (/healthz, static files)
        session = db.session()
        if response.status_code >= 400 or g.get("domain_error"):
            session.rollback()
        elif session.new or session.dirty or session.deleted or wrote(session):
            session.commit()
        # A read ends its transaction when the session is closed at the end of the request
        # (a ROLLBACK, as cheap as a COMMIT, and nothing to be sure of having saved).
        return response


def register_blueprints(app: Flask) -> None:
    from app.blueprints import client_address
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.api import register_api
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.coordinate import bp as coordinate_bp
    from app.blueprints.dashboard import bp as dashboard_bp
    from app.blueprints.main import bp as main_bp
    from app.blueprints.public import bp as public_bp
    from app.blueprints.worker import bp as worker_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(coordinate_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(worker_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(public_bp)
    register_api(app)
    from app.services.audit import set_origin_source

    set_origin_source(client_address)

    from app.labels import TASK_WORDS, label

    app.add_template_filter(label, "label")

    from app.kit.maps import base_map_attrs, period_presets

    app.add_template_global(base_map_attrs, "base_map_attrs")
    app.add_template_global(period_presets, "period_presets")

    from app.guard import can

    @app.context_processor
    def inject_globals():
        from app.i18n import current_locale_code, product_name

        # `can(verb, resource, obj=None)`: the policy's booleans for the signed-in person.
        return {
            "lang": current_locale_code(),
            "product_name": product_name(),
            "can": can,
            "task_words": TASK_WORDS,
            "unread_notifications": _unread_notifications,
        }

    def _unread_notifications() -> int:
        """The badge: the signed-in person's unread notifications (asked only where shown)."""
        from flask_login import current_user
        from sqlalchemy.exc import SQLAlchemyError

        from app.extensions import db
        from app.services.notifications.inbox import unread_count

        if not current_user.is_authenticated:
            return 0
        # An error page may be drawn over a session holding what failed (count without flushing
        # it), or over a transaction the database aborted: the badge never breaks the page.
        try:
            with db.session.no_autoflush:
                return unread_count(current_user)
        except SQLAlchemyError:
            return 0


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)


logging.getLogger("gridreach").addHandler(logging.NullHandler())
__all__ = ["create_app", "g", "request"]
