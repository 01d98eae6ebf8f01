"""Ledgers (台账): check-ins, visits, activity reports, warnings and cases of an area and period."""

from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.kit.downloads import XLSX, send_xlsx
from app.replica import reads_from_replica
from app.schemas.ledger import LedgerQuerySchema
from app.services import ledgers

URL = "/ledgers"
blp = protected_blueprint("api_ledgers", __name__, "Ledgers (台账)")


@blp.route("")
@authorize("read", "ledger", areas=("area_id",))
@blp.arguments(LedgerQuerySchema, location="query")
@blp.alt_response(
    200,
    content_type=XLSX,
    description="One sheet per ledger (or the one `sheet` named), Chinese headers",
    success=True,
)
@reads_from_replica
def get_ledgers(args):
    """The ledgers of an area (default yours) for local days from..to (at most 366), as XLSX."""
    ledger = ledgers.open_ledger(current_user, args)
    return send_xlsx(ledgers.write_xlsx(current_user, ledger), ledger.filename)
