"""Dashboard pages and the small JSON endpoints their charts and map fetch."""

from __future__ import annotations

from flask import Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError

from app.blueprints.dashboard import bp
from app.errors import Invalid
from app.kit.maps import tile_datum
from app.labels import FRAUD_TYPE_LABELS
from app.replica import reads_from_replica
from app.schemas.case_map import CaseMapQuerySchema
from app.schemas.coverage import CoverageQuerySchema
from app.schemas.ranking import RankingQuerySchema
from app.services import cards, coverage, dashboard, periods, reports
from app.services import case_map as case_map_service
from app.services.access import refuse_outside_scope
from app.services.localtime import today


def query_args(schema=CoverageQuerySchema) -> dict:
    """area_id, from and to (and what else `schema` knows) from the query string, after the
    caller's role and area are checked."""
    refuse_outside_scope(current_user, request.args.get("area_id"), "area_id")
    known = set(schema().fields) | {"from", "to"}
    try:
        return schema().load({k: v for k, v in request.args.items() if k in known})
    except ValidationError as error:
        raise Invalid(_l("bad query"), dict(error.messages)) from None


def _ranked() -> dict:
    args = query_args(RankingQuerySchema)
    return dashboard.overview(
        current_user, args["area_id"], args["date_from"], args["date_to"], args["sort"]
    )


def _args() -> tuple:
    args = query_args()
    return current_user, args["area_id"], args["date_from"], args["date_to"]


@bp.get("/")
@reads_from_replica
def index():
    """Figures, the ranking of child areas, charts and cards for an area and period."""
    view = _ranked()
    crumbs = dashboard.breadcrumbs(view["area"], view["scope"])
    held = (
        cards.active_cards(view["area"], today())
        if not view["area"] or view["area"].level != "grid"
        else []
    )
    return render_template("dashboard/index.html", crumbs=crumbs, held_cards=held[:20], **view)


@bp.get("/ranking.csv")
@reads_from_replica
def ranking_csv():
    """The ranking table as CSV (UTF-8 with a BOM), in rank order."""
    view = _ranked()
    name = f"ranking-{view['period'].first.isoformat()}-{view['period'].last.isoformat()}.csv"
    return Response(
        reports.ranking_csv(view["rows"]),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/map")
@reads_from_replica
def coverage_map():
    """Sites coloured by whether they were visited, areas by coverage."""
    args = query_args()
    area = coverage.resolve_area(current_user, args["area_id"])
    period = coverage.make_period(args["date_from"], args["date_to"])
    crumbs = dashboard.breadcrumbs(area, coverage.resolve_area(current_user, None))
    return render_template(
        "dashboard/map.html",
        crumbs=crumbs,
        area=area,
        period=period,
    )


@bp.get("/data/trend.json")
@reads_from_replica
def trend_json():
    """Per day: accepted check-ins, visits, households reached."""
    return jsonify(dashboard.trend(*_args()))


@bp.get("/data/map.json")
@reads_from_replica
def map_json():
    """Sites and child areas for the map, in the datum of the configured tiles."""
    return jsonify(dashboard.map_data(*_args(), tile_datum()))


def _case_map_args() -> tuple:
    args = query_args(CaseMapQuerySchema)
    return (
        current_user,
        args["area_id"],
        args["date_from"],
        args["date_to"],
        args["fraud_type"] or None,
    )


@bp.get("/case-map")
@reads_from_replica
def case_map():
    """The case map (发案地图): cases per community coloured by rate, cards outlined, PNG export."""
    args = query_args(CaseMapQuerySchema)
    area = coverage.resolve_area(current_user, args["area_id"])
    period = coverage.make_period(args["date_from"], args["date_to"])
    return render_template(
        "dashboard/case_map.html",
        crumbs=dashboard.breadcrumbs(area, coverage.resolve_area(current_user, None)),
        area=area,
        period=period,
        fraud_type=args["fraud_type"] or "",
        fraud_types=FRAUD_TYPE_LABELS,
        last_week=periods.preset("last_week", today()),
    )


@bp.get("/data/case-map.json")
@reads_from_replica
def case_map_json():
    """Cases per community for the case map (boundaries in WGS-84: the map is drawn without tiles)."""
    return jsonify(case_map_service.for_area(*_case_map_args()))
