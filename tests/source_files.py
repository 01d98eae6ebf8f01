"""Reading the project's own source in tests that check its shape."""

from __future__ import annotations

import ast
from pathlib import Path

_TRIES = 3


def parse(path: Path) -> ast.Module:
    """The syntax tree of a source file.

    CPython 3.11 counts the AST constructor's recursion in state that every thread shares
    (python/cpython#106905): a compile() in another thread at the same moment (a live server
    compiling a template, in a test that runs one) can make ast.parse fail with a spurious
    "AST constructor recursion depth mismatch"; parsing the same text again succeeds."""
    source = path.read_text(encoding="utf-8")
    for attempt in range(_TRIES):
        try:
            return ast.parse(source)
        except SystemError as error:
            if "recursion depth mismatch" not in str(error) or attempt == _TRIES - 1:
                raise
    raise AssertionError("unreachable")
