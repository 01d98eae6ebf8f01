"""Publicity sites."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.schemas.common import list_schema, paginate
from app.schemas.site import SiteQuerySchema, SiteSchema
from app.services import sites as site_service

URL = "/sites"
blp = protected_blueprint("api_sites", __name__, "Publicity sites (宣传点位)")


@blp.route("")
class Sites(MethodView):
    @blp.arguments(SiteQuerySchema, location="query")
    @blp.response(200, list_schema(SiteSchema))
    def get(self, args):
        """Sites in the caller's scope."""
        query = site_service.list_sites(current_user, args.get("area_id"), args.get("kind"), args.get("active"))
        return paginate(query, args)

    @blp.arguments(SiteSchema)
    @blp.response(201, SiteSchema)
    def post(self, data):
        """Add a site to a grid."""
        return site_service.create_site(current_user, data)


@blp.route("/<int:site_id>")
class SiteById(MethodView):
    @blp.response(200, SiteSchema)
    def get(self, site_id):
        """One site."""
        return site_service.get_site(current_user, site_id)

    @blp.arguments(SiteSchema(partial=True))
    @blp.response(200, SiteSchema)
    def patch(self, data, site_id):
        """Change a site."""
        site = site_service.get_site(current_user, site_id)
        return site_service.update_site(current_user, site, data)


@blp.route("/<int:site_id>/rotate-qr", methods=["POST"])
@blp.response(200, SiteSchema)
def rotate_qr(site_id):
    """Invalidate every printed code of the site."""
    site = site_service.get_site(current_user, site_id)
    return site_service.rotate_qr(current_user, site)
