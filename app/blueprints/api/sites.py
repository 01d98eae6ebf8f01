"""Publicity sites."""

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from app import qr
from app.blueprints.api import protected_blueprint
from app.blueprints.api.jobs import import_answer, import_call
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.site import SiteImportReportSchema, SiteQuerySchema, SiteSchema
from app.services import imports
from app.services import sites as site_service

URL = "/sites"
blp = protected_blueprint("api_sites", __name__, "Publicity sites (宣传点位)")


@blp.route("")
class Sites(MethodView):
    @authorize("read", "site")
    @blp.arguments(SiteQuerySchema, location="query")
    @blp.response(200, list_schema(SiteSchema))
    def get(self, args):
        """Sites in the caller's scope."""
        query = site_service.list_sites(
            current_user, args.get("area_id"), args.get("kind"), args.get("active")
        )
        return paginate(query, args)

    @authorize("create", "site", areas=("area_id",))
    @blp.arguments(SiteSchema)
    @blp.response(201, SiteSchema)
    def post(self, data):
        """Add a site to a grid; lat/lng in `coord_system` (default wgs84), stored as WGS-84."""
        return site_service.create_site(current_user, data)


@blp.route("/import", methods=["POST"])
@authorize("import", "site")
@import_call(blp, SiteImportReportSchema, "SiteImportReport")
def import_sites(files):
    """Import sites from CSV or XLSX (grid, name, kind, lat, lng, optional coord_system, radius_m,
    address; or 网格, 名称, 类型, 纬度, 经度, 坐标系, 半径, 地址): all rows or none; coordinates in
    wgs84 (default), gcj02 or bd09 are stored as WGS-84; a row naming a site already in its grid
    updates that site."""
    return import_answer(imports.start_import(current_user, "sites", files["file"].read()))


@blp.route("/<int:site_id>")
class SiteById(MethodView):
    @authorize("read", "site")
    @blp.response(200, SiteSchema)
    def get(self, site_id):
        """One site."""
        return site_service.get_site(current_user, site_id)

    @authorize("update", "site", load=site_service.get_site, areas=("area_id",))
    @blp.arguments(SiteSchema(partial=True))
    @blp.response(200, SiteSchema)
    def patch(self, data, site_id):
        """Change a site."""
        site = site_service.get_site(current_user, site_id)
        return site_service.update_site(current_user, site, data)


@blp.route("/<int:site_id>/rotate-qr", methods=["POST"])
@authorize("update", "site", load=site_service.get_site)
@blp.response(200, SiteSchema)
def rotate_qr(site_id):
    """Invalidate every printed code of the site."""
    site = site_service.get_site(current_user, site_id)
    return site_service.rotate_qr(current_user, site)


def _image(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # A rotated code replaces this one: never serve a stale copy from a cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@blp.route("/<int:site_id>/qr.png")
@authorize("print", "site", load=site_service.get_site)
@blp.response(200, content_type="image/png", description="The site's printable code (PNG)")
def qr_png(site_id):
    """The site's code as a PNG; it encodes PUBLIC_BASE_URL/c/TOKEN."""
    site = site_service.get_site(current_user, site_id)
    return _image(qr.qr_png(qr.site_url(site)), "image/png", f"site-{site.id}-qr.png")


@blp.route("/<int:site_id>/qr.svg")
@authorize("print", "site", load=site_service.get_site)
@blp.response(200, content_type="image/svg+xml", description="The site's printable code (SVG)")
def qr_svg(site_id):
    """The site's code as an SVG; it encodes PUBLIC_BASE_URL/c/TOKEN."""
    site = site_service.get_site(current_user, site_id)
    return _image(qr.qr_svg(qr.site_url(site)), "image/svg+xml", f"site-{site.id}-qr.svg")
