"""Background jobs (large imports): their creator follows them here."""

from flask import jsonify
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.models import Job
from app.schemas.job import JobSchema
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
