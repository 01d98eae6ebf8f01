"""Background jobs (large imports): their creator follows them here."""

from flask import jsonify
from flask_login import current_user

from app.blueprints.api import protected_blueprint, report_or_error
from app.guard import authorize
from app.models import Job
from app.schemas.household import ImportFileSchema
from app.schemas.job import JobSchema, JobStartedSchema
from app.services import jobs as job_service
from app.services.importing import ImportReport

URL = "/jobs"
blp = protected_blueprint("api_jobs", __name__, "Background jobs: large imports run by the worker")


@blp.route("/<int:job_id>")
@authorize("read", "job")
@blp.response(200, JobSchema)
def get_job(job_id):
    """Status and progress of one of the caller's jobs, and its report once done; others' are 404."""
    return job_service.describe(job_service.get_job(current_user, job_id))


def import_answer(result: ImportReport | Job):
    """A started import as HTTP: 202 {job_id} for a job; the report with 422, 201 or 200 otherwise."""
    if isinstance(result, Job):
        response = jsonify({"job_id": result.id})
        response.status_code = 202
        return response
    status = 422 if not result.ok else (201 if result.created else 200)
    return result.as_dict(), status


def import_call(blp, report_schema, report_name: str, files_schema=ImportFileSchema):
    """What every `.../import` call documents and reads: a `file` in; the report (201, or 200 when
    it changed nothing), 202 with a job above 5,000 rows, 422 with the bad rows, 413 past the
    limits. The view answers with `import_answer(...)`."""

    def decorate(view):
        view = blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")(view)
        view = blp.alt_response(
            422,
            schema=report_or_error(report_name),
            description="Bad rows (nothing was written), or no file",
        )(view)
        view = blp.alt_response(
            202,
            schema=JobStartedSchema,
            description="More than 5,000 rows: queued, follow GET /jobs/{job_id}",
        )(view)
        view = blp.response(201, report_schema)(view)
        return blp.arguments(files_schema, location="files")(view)

    return decorate
