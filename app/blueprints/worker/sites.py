"""The worker's own sites: a list and a map, done or to do this round, nearest first, with directions."""

from __future__ import annotations

from flask import make_response, render_template
from flask_login import current_user

from app.blueprints.worker import bp
from app.guard import authorize
from app.kit import private
from app.services.localtime import today
from app.services.my_sites import my_sites


@bp.get("/worker/sites")
@authorize("use", "pages")
def sites():
    """My sites (my grids' and my tasks'), to do first; the page sorts them by distance from me."""
    html = render_template("worker/sites.html", sites=my_sites(current_user, today()))
    return private(make_response(html))
