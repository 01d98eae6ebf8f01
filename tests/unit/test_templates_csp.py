"""Templates hold no inline code: the Content-Security-Policy (no 'unsafe-inline') would refuse it.

Scripts and styles live in static/; data reaches them through data-* attributes or
<script type="application/json"> blocks, which are never executed. The browser test
(tests/browser/test_csp.py) proves the pages it reaches; this check covers every template,
including the states it does not reach (forms with errors, empty lists)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
EVENT_HANDLER = re.compile(r"^on[a-z]+$")


class InlineCode(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        line = self.getpos()[0]
        if tag == "style":
            self.found.append(f"line {line}: <style> block")
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"line {line}: inline <script>")
        for name, value in attrs:
            if name == "style" or EVENT_HANDLER.match(name):
                self.found.append(f"line {line}: {name}= attribute on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"line {line}: javascript: URL")


def test_no_template_holds_inline_script_or_style():
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        parser = InlineCode()
        parser.feed(path.read_text(encoding="utf-8"))
        problems += [f"{path.relative_to(TEMPLATES)} {found}" for found in parser.found]
    assert problems == []


def test_the_check_finds_inline_code():
    parser = InlineCode()
    parser.feed(
        '<div style="x"><button onclick="go()"></button><script>go()</script>'
        '<script type="application/json">{}</script><script src="/static/a.js"></script>'
        '<style>p{}</style><a href="javascript:go()">x</a></div>'
    )
    assert [found.split(": ", 1)[1] for found in parser.found] == [
        "style= attribute on <div>",
        "onclick= attribute on <button>",
        "inline <script>",
        "<style> block",
        "javascript: URL",
    ]
