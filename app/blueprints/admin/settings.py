"""What the deployment is configured with, for an admin to read (settings come from the environment)."""

from flask import current_app, render_template

from app.blueprints.admin import bp
from app.guard import authorize
from app.kit.maps import masked_tile_url, tile_datum


@bp.get("/settings/maps")
@authorize("read", "settings")
def map_settings():
    """The base map in use, and how to set up Tianditu or AMap tiles."""
    config = current_app.config
    return render_template(
        "admin/map_settings.html",
        tile_url=masked_tile_url(config.get("MAP_TILE_URL") or ""),
        datum=tile_datum(),
        subdomains=config.get("MAP_TILE_SUBDOMAINS") or "",
        attribution=config.get("MAP_TILE_ATTRIBUTION") or "",
    )
