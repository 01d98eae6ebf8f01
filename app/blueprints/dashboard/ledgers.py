"""Ledgers (台账) as XLSX, the download the list pages link to (their area and period)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from app.blueprints.dashboard import bp
from app.guard import authorize
from app.kit.downloads import send_xlsx
from app.replica import reads_from_replica
from app.schemas.common import load_query
from app.schemas.ledger import LedgerQuerySchema
from app.services import ledgers


@bp.get("/ledgers.xlsx")
@authorize("read", "ledger", areas=("area_id",))
@reads_from_replica
def ledger_download():
    """One ledger (`sheet`) or all of them, for the area and days the list page shows."""
    raw = {key: value for key, value in request.args.items() if value.strip()}
    ledger = ledgers.open_ledger(current_user, load_query(LedgerQuerySchema(), raw))
    return send_xlsx(ledgers.write_xlsx(current_user, ledger), ledger.filename)
