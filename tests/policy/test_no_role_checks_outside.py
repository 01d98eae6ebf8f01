"""No role check and no role tuple outside the policy: grep proves it.

Allowed: the policy (`app/policy.py`), the model's list of roles, the labels, the demo seed and
the command line. The scope helpers (`app/services/access.py`) ask the policy who works grids."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
ALLOWED = {"policy.py", "models/user.py", "labels.py", "cli.py"}
ALLOWED_PREFIXES = ("demo/",)
ROLE = r"""["'](?:admin|leader|coordinator|worker)["']"""
PATTERNS = [
    re.compile(r"\brole\s*(?:==|!=)\s*" + ROLE),  # role == "worker"
    re.compile(ROLE + r"\s*(?:==|!=)\s*[\w.]*\brole\b"),  # "worker" == user.role
    re.compile(r"""\[["']role["']\]\s*(?:==|!=|(?:not\s+)?in\b)"""),  # data["role"] == "worker"
    re.compile(r"\brole\s+(?:not\s+)?in\s*[(\[{]"),  # role in ("admin", ...)
    re.compile(r"\.role\s+(?:not\s+)?in\b"),  # user.role in MANAGERS
    re.compile(r"\brole\s+(?:not\s+)?in\s+[A-Z][A-Z_]+\b"),  # role in SOME_ROLES
    re.compile(r"\.role\s*(?:==|!=)\s*[A-Z][A-Z_]*\b"),  # user.role == WORKER
    re.compile(
        r"^\s*[A-Z][A-Z_]*\s*=\s*(?:\(|frozenset\(|\{|\[)\s*\{?\s*" + ROLE + r"\s*,", re.M
    ),  # MANAGERS = ("admin", ...
]


def offending_lines() -> list[str]:
    found = []
    for path in sorted([*APP.rglob("*.py"), *APP.rglob("*.html")]):
        name = path.relative_to(APP).as_posix()
        if name in ALLOWED or name.startswith(ALLOWED_PREFIXES):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {text.splitlines()[line - 1].strip()}")
    return found


def test_no_role_check_lives_outside_the_policy():
    assert offending_lines() == []


def test_the_grep_would_catch_each_shape(tmp_path):
    samples = [
        'if user.role == "worker":',
        "{% if current_user.role in ('admin', 'leader') %}",
        "if actor.role in MANAGERS:",
        'MANAGERS = ("admin", "coordinator")',
        'if role not in ("admin",):',
        'force = "grid_worker" if data["role"] == "worker" else None',
        "User.role == WORKER,",
    ]
    for sample in samples:
        assert any(p.search(sample) for p in PATTERNS), sample


REQUEST_STATE = re.compile(
    r"^\s*from flask(?:_login)? import [^\n]*\b(?:request|session|current_user|g)\b|^\s*import flask_login",
    re.M,
)


def test_the_policy_and_the_services_read_no_request():
    """The policy imports nothing from Flask; no service reads the request, the session or the caller."""
    policy_source = (APP / "policy.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(?:from|import) flask", policy_source, re.M)
    readers = [
        path.relative_to(APP).as_posix()
        for path in sorted((APP / "services").rglob("*.py"))
        if REQUEST_STATE.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []
