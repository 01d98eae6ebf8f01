"""Background jobs as the API shows them to their creator."""

from marshmallow import Schema, fields

from app.models import JOB_STATUSES


class JobStartedSchema(Schema):
    job_id = fields.Int(metadata={"description": "follow it at GET /api/v1/jobs/{job_id}"})


class JobSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    status = fields.Str(metadata={"enum": list(JOB_STATUSES)})
    done = fields.Int(metadata={"description": "rows (or items) handled so far"})
    total = fields.Int()
    report = fields.Dict(
        allow_none=True,
        metadata={
            "description": "once done: the same answer as the synchronous call; once failed: {message}"
        },
    )
