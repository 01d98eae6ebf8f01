"""The zh catalog: every message translated with its placeholders, in step with the sources, and used by pages."""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# %(name)s, %(n)d, %(s).1f, %s and the escaped %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs%]")


def load_catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="zh")


def message_id(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def stray_percents(text: str) -> int:
    """A % that starts no placeholder breaks formatting (Jinja formats every template string)."""
    return PLACEHOLDER.sub("", text).count("%")


def makefile_keywords() -> dict:
    """The -k keywords of the Makefile's i18n-extract target, on top of babel's defaults."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^i18n-extract:.*?(?=^\S)", makefile, re.S | re.M).group(0)
    extra = re.findall(r"-k\s+(\S+)", target)
    assert extra, "the i18n-extract target names its keywords with -k"
    return {**DEFAULT_KEYWORDS, **parse_keywords(extra)}


def extracted_ids() -> dict[str, str]:
    """Every msgid the sources hold, with the first file it comes from, as `make i18n-extract` sees them."""
    with (TRANSLATIONS / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "app"), method_map, options_map, keywords=makefile_keywords()
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, filename)
    return found


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def compiled_catalog(app):
    """The compiled .mo the pages read: `make test` compiles it; a bare pytest run compiles it here if missing."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, load_catalog())
            os.replace(tmp, MO)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        babel = app.extensions["babel"].instance
        babel.domain_instance.cache.clear()  # an earlier page may have cached "no catalog"
    return MO


def test_the_header_is_filled_in_and_not_fuzzy(catalog):
    # pybabel compile skips a catalog whose header is fuzzy: every page would be English.
    assert not catalog.fuzzy
    assert catalog.project == "GridReach"
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    assert "FULL NAME" not in (catalog.last_translator or "")
    assert not catalog.obsolete


def test_every_message_is_translated_with_the_same_placeholders(catalog):
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy (compiled as English): {ids[0]!r}")
        if not strings or not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        for string in strings:
            if placeholders(string) != placeholders(ids[0]) or stray_percents(string) != stray_percents(ids[0]):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_plural_messages_have_the_one_chinese_form(catalog):
    plurals = [m for m in catalog if m.id and not isinstance(m.id, str)]
    for message in plurals:
        assert len(message.string) == 1, message.id


def test_the_catalog_holds_every_string_in_the_sources(catalog):
    """A new string in app/ fails here until `make i18n-extract` runs and someone translates it."""
    known = {message_id(m) for m in catalog if m.id}
    missing = {msgid: where for msgid, where in extracted_ids().items() if msgid not in known}
    assert not missing, "run `make i18n-extract` and translate:\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_the_extraction_sees_templates_python_and_domain_errors():
    ids = extracted_ids()
    assert "Log in" in ids  # a template
    assert "Wrong username or password." in ids  # _() in Python
    assert "Please log in to open this page." in ids  # N_()
    assert "wrong username or password" in ids  # a DomainError subclass's message


def test_pages_are_chinese_by_default_and_english_on_request(client, compiled_catalog):
    chinese = client.get("/login").get_data(as_text=True)
    assert "登录" in chinese and "用户名" in chinese and "密码" in chinese
    assert "Username" not in chinese

    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in english and "Username" in english
    assert "用户名" not in english


def test_a_service_error_reaches_the_page_in_chinese(client, district, login_as, compiled_catalog):
    login_as(district.a.worker)
    response = client.get("/c/not-a-code")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "这不是有效的 GridReach 点位签到码。" in html
    assert "not a valid" not in html
