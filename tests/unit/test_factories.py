"""Test data has one home: one keyword-only builder per model in tests/factories.py."""

import ast
import inspect
from pathlib import Path

from app.extensions import db
from tests import factories
from tests.source_files import parse

TESTS = Path(__file__).resolve().parents[1]
BUILDERS = [getattr(factories, name) for name in dir(factories) if name.startswith("make_")]


def test_every_builder_is_keyword_only():
    for builder in BUILDERS:
        kinds = {p.kind for p in inspect.signature(builder).parameters.values()}
        assert kinds <= {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD}, (
            builder.__name__
        )


def test_every_model_has_a_builder():
    built = {inspect.signature(b).return_annotation for b in BUILDERS}
    built.add("ApiToken")  # make_api_token answers the plain token, as a client holds it
    models = {mapper.class_.__name__ for mapper in db.Model.registry.mappers}
    # A notification's recipients and deliveries come with it (make_notification, as the outbox);
    # the monthly sums with the check-ins and visits that make_checkin and make_visit store.
    derived = {"NotificationRecipient", "NotificationDelivery", "SiteMonth", "HouseholdMonth"}
    assert models - built - derived == set()


def test_builders_and_local_time_are_defined_once():
    defined = {}
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.FunctionDef) and (
                node.name.startswith("make_") or node.name in ("local", "shanghai")
            ):
                defined.setdefault(node.name, []).append(path.relative_to(TESTS).as_posix())
    defined.pop("make_app")  # the conftest fixture that builds another app, not a row
    assert {name: paths for name, paths in defined.items() if paths != ["factories.py"]} == {}
