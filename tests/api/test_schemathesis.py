"""Property-based fuzzing of the whole OpenAPI document (/api/v1/openapi.json) with schemathesis.

In process against the WSGI app, with real bearer tokens of an admin and of a street coordinator,
every operation: no 5xx, every status code documented, every answer matching its documented schema.
Derandomized (the same cases on every run) and without deadlines, so CI sees the same result
each time; every write is rolled back with the test's outer transaction."""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from app import create_app
from app.extensions import limiter
from config import TestingConfig
from tests.factories import make_api_token

# Generated cases per operation (schemathesis adds its boundary cases to them), each called as an
# admin, a coordinator and a worker: about 4,700 cases over 55 operations. SCHEMATHESIS_EXAMPLES=200
# digs deeper.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "14"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
RAN = {"cases": 0, "calls": 0, "seconds": 0.0}


class _SpecOnly(TestingConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # never connected: this app only serves the document


def _openapi_document() -> dict:
    """The document exactly as GET /api/v1/openapi.json serves it (read at collection time, so that
    every operation is a test of its own)."""
    response = create_app(_SpecOnly).test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


schema = schemathesis.openapi.from_dict(_openapi_document())


@pytest.fixture
def callers(district):
    """Bearer headers of an admin (whole district), a street coordinator and a grid worker."""
    return {
        user.role: {"Authorization": f"Bearer {make_api_token(user=user)}"}
        for user in (district.admin, district.a.coordinator, district.a.worker)
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # SCHEMATHESIS_RANDOM=1 explores new cases (a fresh seed each run) instead of the fixed ones.
    derandomize=not os.environ.get("SCHEMATHESIS_RANDOM"),
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, app, district, callers):
    started = time.perf_counter()
    RAN["cases"] += 1
    for headers in callers.values():
        # Login failures are limited per address; generated logins must not lock the rest out.
        limiter.reset()
        if case.method.upper() == "DELETE" and case.path.endswith("/auth/token"):
            headers = {"Authorization": f"Bearer {make_api_token(user=district.leader)}"}
        response = case.call(app=app, session=app.test_client(), headers=headers)
        RAN["calls"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)
    RAN["seconds"] += time.perf_counter() - started


def test_fuzzing_ran_enough_cases():
    """The run above generated at least 1,000 cases (skipped when it was not selected)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("under -n each worker counts its own cases; the serial run (CI) checks this")
    if not RAN["cases"]:
        pytest.skip("the schemathesis test did not run in this session")
    print(f"schemathesis: {RAN['cases']} cases, {RAN['calls']} calls in {RAN['seconds']:.1f} s")
    assert RAN["cases"] >= 1000, RAN
