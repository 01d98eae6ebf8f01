"""The base map every map page draws on: the configured tiles and the datum they are drawn in."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from flask import current_app
from markupsafe import Markup, escape

from app.geo import COORD_SYSTEMS
from app.services import periods
from app.services.localtime import today


def tile_datum() -> str:
    """The datum map data must be sent in: the tiles', or WGS-84 when there are no tiles."""
    config = current_app.config
    datum = config.get("MAP_TILE_DATUM") or "wgs84"
    return datum if config.get("MAP_TILE_URL") and datum in COORD_SYSTEMS else "wgs84"


def base_map() -> dict:
    """What a page's map box carries as data-* attributes (see static/js/basemap.js)."""
    config = current_app.config
    return {
        "tile-url": config.get("MAP_TILE_URL") or "",
        "tile-datum": tile_datum(),
        "tile-subdomains": config.get("MAP_TILE_SUBDOMAINS") or "abc",
        "tile-attribution": config.get("MAP_TILE_ATTRIBUTION") or "",
    }


def masked_tile_url(url: str) -> str:
    """The tile URL as an admin may read it on a page: the key (`tk=`, `key=`) cut to its last 4."""
    parts = urlsplit(url)
    query = [
        (name, "…" + value[-4:] if name.lower() in ("tk", "key", "token") and value else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    # Leave {x}, {y}, {z} readable: urlencode would turn their braces into %7B...%7D.
    return urlunsplit(parts._replace(query=unquote(urlencode(query))))


def base_map_attrs() -> Markup:
    """` data-tile-url="..." ...`: the base map's settings on a map box, escaped."""
    return Markup("".join(f' data-{name}="{escape(value)}"' for name, value in base_map().items()))


def period_presets() -> list[dict]:
    """The one-click periods of the leaders' pages, counted from today's local date."""
    return periods.presets(today())


# The settings an admin puts in the environment for each tile provider (README, "Base maps").
TILE_EXAMPLES = {
    "tianditu": (
        "MAP_TILE_URL=https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=YOUR_KEY\n"
        "MAP_TILE_DATUM=wgs84\nMAP_TILE_SUBDOMAINS=01234567\nMAP_TILE_ATTRIBUTION=天地图"
    ),
    "amap": (
        "MAP_TILE_URL=https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
        "&style=8&x={x}&y={y}&z={z}\n"
        "MAP_TILE_DATUM=gcj02\nMAP_TILE_SUBDOMAINS=1234\nMAP_TILE_ATTRIBUTION=高德地图"
    ),
}
