"""Every route answers to a rule of the policy table, or is on the policy's short public list."""

from __future__ import annotations

from app import policy
from app.guard import route_policy


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_guarded_by_a_rule_of_the_table_or_public(app):
    unguarded, unknown = [], []
    for rule, method in routes(app):
        if rule.endpoint in policy.PUBLIC_ENDPOINTS:
            continue
        found = route_policy(rule.endpoint, app.view_functions[rule.endpoint], method)
        if found is None:
            unguarded.append(f"{method} {rule.rule}")
        elif found not in policy.RULES:
            unknown.append(f"{method} {rule.rule}: {found}")
    assert unguarded == [] and unknown == []


def test_public_routes_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= policy.PUBLIC_ENDPOINTS


def test_a_public_page_and_a_guarded_one(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/sites").status_code == 401
    assert client.get("/worker/tasks").status_code == 302  # to the login page
