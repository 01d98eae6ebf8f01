"""The case map (发案地图): a period's fraud cases per community, with the rate per 10,000
residents and the card each area holds now, for a map leaders paste into a report."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, FraudCase, User
from app.polygons import DISPLAY_TOLERANCE_DEG, label_point, simplify
from app.services import cards, coverage
from app.services.access import subtree_clause
from app.services.dashboard import held_cards


def for_area(
    actor: User,
    area_id: int | None,
    first: date | None,
    last: date | None,
    fraud_type: str | None = None,
) -> dict:
    """Every community under the area (the caller's scope by default) with its cases of the period:
    count, loss, rate per 10,000 residents, its card held now, its boundary (WGS-84) for drawing."""
    area = coverage.resolve_area(actor, area_id)
    period = coverage.make_period(first, last)
    communities = select(Area).where(Area.level == "community")
    if area is not None:
        communities = communities.where(subtree_clause(Area.path, area.path))
    counted = select(
        FraudCase.area_id,
        func.count(FraudCase.id),
        func.coalesce(func.sum(FraudCase.loss_amount), 0),
    ).where(FraudCase.occurred_on >= period.first, FraudCase.occurred_on <= period.last)
    if fraud_type:
        counted = counted.where(FraudCase.fraud_type == fraud_type)
    totals = {
        area_id: (int(n), float(loss))
        for area_id, n, loss in db.session.execute(counted.group_by(FraudCase.area_id))
    }
    held = held_cards(area)
    rows = []
    for community in db.session.scalars(communities.order_by(Area.path)):
        count, loss = totals.get(community.id, (0, 0.0))
        boundary = simplify(community.boundary, DISPLAY_TOLERANCE_DEG)
        middle = label_point(boundary)
        rows.append(
            {
                "area_id": community.id,
                "name": community.name,
                "population": community.population,
                "cases": count,
                "loss": round(loss, 2),
                "rate_per_10k": cards.per_10k(count, community.population),
                "card": held.get(community.id),
                "boundary": boundary,
                "center": list(middle) if middle else None,
            }
        )
    return {
        "area_id": area.id if area else None,
        "name": area.name if area else None,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "fraud_type": fraud_type,
        "cases": sum(r["cases"] for r in rows),
        "loss": round(sum(r["loss"] for r in rows), 2),
        "communities": rows,
    }
