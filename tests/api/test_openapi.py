"""The OpenAPI document at /api/v1/openapi.json: OpenAPI 3, every contract call that exists, bearer security."""

from __future__ import annotations

import re

import pytest

# Every call of the contract, as OpenAPI paths (ids named as the routes name them).
CONTRACT = [
    ("post", "/auth/token"),
    ("get", "/me"),
    ("post", "/areas"),
    ("get", "/areas"),
    ("get", "/areas/{area_id}"),
    ("patch", "/areas/{area_id}"),
    ("post", "/users"),
    ("get", "/users"),
    ("get", "/users/{user_id}"),
    ("patch", "/users/{user_id}"),
    ("post", "/sites"),
    ("get", "/sites"),
    ("get", "/sites/{site_id}"),
    ("patch", "/sites/{site_id}"),
    ("get", "/sites/{site_id}/qr.png"),
    ("get", "/sites/{site_id}/qr.svg"),
    ("post", "/sites/{site_id}/rotate-qr"),
    ("post", "/campaigns"),
    ("get", "/campaigns"),
    ("get", "/campaigns/{campaign_id}"),
    ("post", "/tasks"),
    ("get", "/tasks"),
    ("get", "/tasks/{task_id}"),
    ("patch", "/tasks/{task_id}"),
    ("post", "/checkins"),
    ("get", "/checkins"),
    ("post", "/households"),
    ("get", "/households"),
    ("post", "/households/import"),
    ("post", "/visits"),
    ("post", "/warnings"),
    ("get", "/warnings"),
    ("post", "/warnings/{warning_id}/outcome"),
    ("post", "/cases"),
    ("get", "/cases"),
    ("get", "/reports/daily"),
    ("get", "/coverage"),
]
# What the foundation issue delivers: these must exist whatever else is built.
FOUNDATION = [
    call
    for call in CONTRACT
    if re.match(r"/(auth|me|areas|users|sites)", call[1]) and not call[1].endswith((".png", ".svg"))
]


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def _routed(app, method: str, path: str) -> bool:
    """True when the app has a route for this call (any parameter name, any converter)."""
    pattern = re.sub(r"\{[^}]+\}", "<>", "/api/v1" + path)
    for rule in app.url_map.iter_rules():
        if re.sub(r"<[^>]+>", "<>", rule.rule) == pattern and method.upper() in rule.methods:
            return True
    return False


def _documented(spec, method: str, path: str) -> bool:
    pattern = re.sub(r"\{[^}]+\}", "{}", "/api/v1" + path)
    return any(
        re.sub(r"\{[^}]+\}", "{}", p) == pattern and method in ops
        for p, ops in spec["paths"].items()
    )


def test_document_is_openapi_3_and_public(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]


def test_foundation_calls_exist_and_are_documented(app, spec):
    for method, path in FOUNDATION:
        assert _routed(app, method, path), (method, path)
        assert _documented(spec, method, path), (method, path)


def test_writes_document_their_body_and_answers(spec):
    """authorize_first wraps these views; their request and response schemas must survive it."""
    for path, method, status in [
        ("/api/v1/areas", "post", "201"),
        ("/api/v1/areas/{area_id}", "patch", "200"),
        ("/api/v1/users", "post", "201"),
        ("/api/v1/users/{user_id}", "patch", "200"),
        ("/api/v1/sites", "post", "201"),
        ("/api/v1/sites/{site_id}", "patch", "200"),
    ]:
        operation = spec["paths"][path][method]
        assert "requestBody" in operation and status in operation["responses"], (path, method)


def test_every_contract_call_that_exists_is_documented(app, spec):
    missing = [(m, p) for m, p in CONTRACT if _routed(app, m, p) and not _documented(spec, m, p)]
    assert missing == []


def test_bearer_security_is_declared_and_required_except_for_the_token_call(spec):
    schemes = spec["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(
        s for s in schemes.values() if s.get("scheme") == "bearer"
    ).items()
    bearer_name = next(name for name, s in schemes.items() if s.get("scheme") == "bearer")
    assert {bearer_name: []} in spec["security"]
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    assert (
        "security" not in spec["paths"]["/api/v1/areas"]["get"]
    )  # the document-wide requirement applies


def test_schemas_never_offer_the_password_hash(spec):
    text = str(spec)
    assert "password_hash" not in text and "token_hash" not in text
    user = spec["components"]["schemas"]["User"]
    assert user["properties"]["password"].get("writeOnly") is True
