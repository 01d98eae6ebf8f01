"""Campaigns, fanned out to one task per grid."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.task import CampaignListItemSchema, CampaignQuerySchema, CampaignSchema
from app.services import campaigns as campaign_service

URL = "/campaigns"
blp = protected_blueprint(
    "api_campaigns", __name__, "Campaigns over an area and a period, one task per grid"
)


@blp.route("")
class Campaigns(MethodView):
    @authorize("read", "campaign")
    @blp.arguments(CampaignQuerySchema, location="query")
    @blp.response(200, list_schema(CampaignListItemSchema))
    def get(self, args):
        """Campaigns over the caller's area, newest first, with task counts."""
        page = paginate(campaign_service.list_campaigns(current_user, args.get("active_on")), args)
        campaign_service.summarise(current_user, page["items"])
        return page

    @authorize("create", "campaign", areas=("area_id",))
    @blp.arguments(CampaignSchema)
    @blp.response(201, CampaignSchema)
    def post(self, data):
        """Create a campaign: one task per grid under `area_id`, assigned to each grid's workers."""
        return campaign_service.create_campaign(current_user, data)


@blp.route("/<int:campaign_id>")
class CampaignById(MethodView):
    @authorize("read", "campaign")
    @blp.response(200, CampaignSchema)
    def get(self, campaign_id):
        """One campaign with its tasks inside the caller's area."""
        return campaign_service.get_campaign(current_user, campaign_id)
