"""Reports: the daily report (反诈日报) as JSON, CSV, XLSX or text for a chat group."""

from flask import Response
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.kit import daily_report_text
from app.replica import reads_from_replica
from app.schemas.report import DailyReportQuerySchema, DailyReportSchema
from app.services import reports

URL = "/reports"
blp = protected_blueprint("api_reports", __name__, "Reports (日报)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/daily", methods=["GET"])
@authorize("read", "report", areas=("area_id",))
@blp.arguments(DailyReportQuerySchema, location="query")
@blp.response(200, DailyReportSchema)
@blp.alt_response(200, content_type="text/csv", description="format=csv: UTF-8 with a BOM")
@reads_from_replica
def daily_report(args):
    """One row per street for a day; format json (default), csv, xlsx or text."""
    report = reports.daily(current_user, args["date"])
    name = f"daily-report-{report['date']}"
    if args["format"] == "csv":
        return download(reports.as_csv(report), "text/csv; charset=utf-8", f"{name}.csv")
    if args["format"] == "xlsx":
        return download(reports.as_xlsx(report), XLSX, f"{name}.xlsx")
    if args["format"] == "text":
        return Response(daily_report_text(report), mimetype="text/plain; charset=utf-8")
    return report
