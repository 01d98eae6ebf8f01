"""The page a scanned site code opens, its offline shell, and the service worker behind both."""

from __future__ import annotations

from flask import (
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.blueprints import API_PREFIX as PREFIX
from app.blueprints.worker import bp
from app.blueprints.worker.texts import page_texts
from app.errors import DomainError, Forbidden
from app.guard import authorize
from app.kit import private
from app.labels import SITE_CONDITION_LABELS, label
from app.policy import can, require
from app.services import public_pages
from app.services.checkins import open_tasks_at_site, resolve_site_token

CHECKINS_URL = PREFIX + "/checkins"
PHOTOS_URL = PREFIX + "/photos"


def _page(site=None, tasks=(), token: str | None = None):
    config = {
        "token": token,
        "api": CHECKINS_URL,
        "photos_api": PHOTOS_URL,
        "csrf_url": "/csrf-token",
        **page_texts(),
    }
    kind = label(site.kind, "site_kind") if site is not None else None
    can_check_in = not current_user.is_authenticated or can(current_user, "check_in", "site")
    html = render_template(
        "worker/site.html",
        site=site,
        kind=kind,
        tasks=tasks,
        config=config,
        can_check_in=can_check_in,
        conditions=SITE_CONDITION_LABELS,
    )
    return private(make_response(html), revalidate=True)


@bp.get("/c/<token>")
def site_page(token: str):
    """For a signed-in person: the site's name, grid and kind, my open tasks here, and the big
    check-in button. For anybody else: the public page (tips, the app, 96110, the area's quiz)."""
    if not current_user.is_authenticated:
        return public_site_page(token)
    require(current_user, "use", "pages")
    try:
        site = resolve_site_token(current_user, token)
    except DomainError as error:
        outside = isinstance(error, Forbidden)
        html = render_template("worker/code_problem.html", outside=outside, detail=error.message)
        return private(make_response(html, error.status), revalidate=True)
    return _page(site, open_tasks_at_site(current_user, site), token)


def public_site_page(token: str):
    """Nothing about the site's workers or tasks; its login link comes back here."""
    side = public_pages.for_site_token(token)
    html = render_template(
        "public/site.html",
        tips=side.tips,
        quiz=side.quiz,
        app_url=current_app.config.get("ANTIFRAUD_APP_URL", ""),
        login_url=url_for("auth.login", next=request.path),
    )
    response = make_response(html)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Public-Page"] = "1"  # the service worker keeps no copy of it
    response.vary.add("Cookie")
    return response


@bp.get("/c/offline")
def offline_shell():
    """The page the service worker shows for a code opened without signal: check in by the link alone."""
    return _page()


@bp.get("/csrf-token")
@authorize("use", "pages")
def csrf_token():
    """A fresh CSRF token for a page kept open (or cached) past its session."""
    return private(jsonify(csrf_token=generate_csrf()), revalidate=True)


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may control /c/."""
    response = send_from_directory(
        current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
