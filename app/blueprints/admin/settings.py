"""What the deployment is configured with, for an admin to read (settings come from the environment)."""

from flask import current_app, render_template

from app.blueprints.admin import bp
from app.guard import authorize
from app.kit.maps import TILE_EXAMPLES, masked_tile_url, tile_datum


@bp.get("/settings/maps")
@authorize("read", "settings")
def map_settings():
    """The base map in use, and how to set up Tianditu or AMap tiles."""
    config = current_app.config
    settings = [
        ("MAP_TILE_URL", masked_tile_url(config.get("MAP_TILE_URL") or "")),
        ("MAP_TILE_DATUM", tile_datum()),
        ("MAP_TILE_SUBDOMAINS", config.get("MAP_TILE_SUBDOMAINS") or ""),
        ("MAP_TILE_ATTRIBUTION", config.get("MAP_TILE_ATTRIBUTION") or ""),
    ]
    return render_template("admin/map_settings.html", settings=settings, examples=TILE_EXAMPLES)
