"""Starting an import: a small file at once, a large one as a background job, an oversized one refused.

Every `.../import` call goes through `start_import`. The row count decides: up to
IMPORT_SYNC_ROWS rows the import runs in the request and its report is the answer; more rows
(up to IMPORT_MAX_ROWS) are queued for `flask --app app worker`, whose report, once done, is
the same answer. A file past a limit is refused before anything is read for real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.errors import Invalid
from app.i18n import N_
from app.models import Job, User
from app.policy import require
from app.services import case_import, household_import, jobs, people_import, site_import
from app.services.import_limits import ImportLimits, count_rows
from app.services.importing import ImportReport
from app.services.warnings import imports as warning_import


@dataclass(frozen=True)
class ImportKind:
    """The policy's resource for importing this kind of file, and the all-or-nothing import itself."""

    resource: str
    run: Callable[..., ImportReport]  # (actor, data, progress=None)


IMPORT_KINDS = {
    "households": ImportKind("household", household_import.import_households),
    "warnings": ImportKind("warning", warning_import.import_warnings),
    "cases": ImportKind("case", case_import.import_cases),
    "people": ImportKind("user", people_import.import_people),
    "sites": ImportKind("site", site_import.import_sites),
}


def start_import(actor: User, kind: str, data: bytes) -> ImportReport | Job:
    """The report of a small file, or the queued job of a large one; TooLarge past a limit."""
    spec = IMPORT_KINDS[kind]
    require(actor, "import", spec.resource)
    limits = ImportLimits.from_config()
    try:
        rows = count_rows(data, limits)
    except Invalid:  # unreadable: the same report an import gives for it
        report = ImportReport()
        report.error(1, N_("the file is not a readable CSV or XLSX table"))
        return report
    if rows <= limits.sync_rows:
        return spec.run(actor, data)
    return jobs.enqueue(actor, job_kind_for(kind), data, rows)


def job_kind_for(kind: str) -> str:
    return f"import:{kind}"


def _register(kind: str) -> None:
    @jobs.job_kind(
        job_kind_for(kind), render=lambda stored: ImportReport.from_stored(stored).as_dict()
    )
    def run_import_job(context: jobs.JobContext) -> dict:
        return (
            IMPORT_KINDS[kind]
            .run(context.actor, context.payload, progress=context.progress)
            .to_stored()
        )


for _kind in IMPORT_KINDS:
    _register(_kind)
