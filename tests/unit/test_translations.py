"""The zh catalog: every message translated with its placeholders, in step with the sources, and used by pages."""

from __future__ import annotations

import ast
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from marshmallow import ValidationError, validate
from marshmallow import fields as ma_fields
from marshmallow import schema as ma_schema

from tests.source_files import parse

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


def extracted_messages() -> dict[tuple[str | None, str], str]:
    """Every (msgctxt, msgid) the sources hold, with the first file it comes from, as `make i18n-extract` sees them."""
    with (TRANSLATIONS / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[tuple[str | None, str], str] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT / "app"), method_map, options_map, keywords=makefile_keywords()
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault((context, msgid), filename)
    return found


def extracted_ids() -> dict[str, str]:
    """Every msgid the sources hold, with the first file it comes from."""
    return {msgid: where for (_context, msgid), where in extracted_messages().items()}


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
            if placeholders(string) != placeholders(ids[0]) or stray_percents(
                string
            ) != stray_percents(ids[0]):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_plural_messages_have_the_one_chinese_form(catalog):
    plurals = [m for m in catalog if m.id and not isinstance(m.id, str)]
    for message in plurals:
        assert len(message.string) == 1, message.id


def test_the_catalog_holds_every_string_in_the_sources(catalog):
    """A new string in app/ fails here until `make i18n-extract` runs and someone translates it."""
    known = {(m.context, message_id(m)) for m in catalog if m.id}
    missing = {key: where for key, where in extracted_messages().items() if key not in known}
    assert not missing, "run `make i18n-extract` and translate:\n" + "\n".join(
        f"  {where}: {msgid!r}" + (f" (context {context!r})" if context else "")
        for (context, msgid), where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_the_extraction_sees_templates_python_and_domain_errors():
    ids = extracted_ids()
    assert "Log in" in ids  # a template
    assert "Saved." in ids  # _() in Python
    assert "Please log in to open this page." in ids  # N_()
    assert "wrong username or password" in ids  # a DomainError subclass's message
    assert "at least %(n)d characters" in ids  # a lazy per-field message with a value
    contexts = {context for context, msgid in extracted_messages() if msgid == "Parent"}
    assert contexts == {"area", "household tag"}  # lazy_pgettext is an extraction keyword


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
    assert "这不是有效的点位签到码。" in html
    assert "not a valid" not in html


# --- strings a person reads must reach the catalogue ------------------------------------------

GETTEXT_CALLS = {
    "_",
    "_l",
    "gettext",
    "lazy_gettext",
    "pgettext",
    "lazy_pgettext",
    "ngettext",
    "N_",
}
# Constructors whose first argument (and `errors=` values) people read.
MESSAGE_CALLS = {
    "DomainError",
    "Invalid",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Unauthorized",
    "BadSiteToken",
    "ValidationError",
}
SCANNED = (
    "app/services/*.py",
    "app/blueprints/**/*.py",
    "app/schemas/*.py",
    "app/qr.py",
    "app/errors.py",
)
# Literals of modules not converted yet (users, auth, the imports): each is listed exactly, so
# that a new untranslated literal anywhere still fails. Delete entries as those modules wrap them.
NOT_YET_WRAPPED = {
    ("app/services/case_import.py", "cases changed during the import: try again"),
    ("app/services/case_import.py", "a case number was added meanwhile"),
    ("app/services/household_import.py", "households changed during the import: try again"),
    ("app/services/household_import.py", "a label was added meanwhile"),
    ("app/services/warnings/imports.py", "police and coordinators enter warnings"),
}


def _call_name(func) -> str | None:
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else None
    )


def _is_bare_text(node) -> bool:
    """Words written in place, not handed to gettext: a literal, an f-string, or text built by % or .format."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_bare_text(node.left)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _is_bare_text(node.func.value)
    return False


def _shown_text(node: ast.Call):
    """The argument nodes of a call that people read."""
    name = _call_name(node.func)
    if name in MESSAGE_CALLS:
        yield from node.args[:1]
        for errors in [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "errors")]:
            if isinstance(errors, ast.Dict):
                for value in errors.values:
                    yield from value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    elif name == "flash":
        yield from node.args[:1]
    elif name and name.endswith("Field") and name[:1].isupper():  # a WTForms field: its label
        yield from node.args[:1]
        yield from (k.value for k in node.keywords if k.arg in ("label", "description"))
    yield from (k.value for k in node.keywords if k.arg in ("message", "error"))  # validators


def unwrapped_texts() -> list[tuple[str, int, str]]:
    """(file, line, text) of every person-visible literal in Python that no gettext call wraps."""
    found = []
    for pattern in SCANNED:
        for path in sorted(ROOT.glob(pattern)):
            where = str(path.relative_to(ROOT))
            for node in ast.walk(parse(path)):
                if isinstance(node, ast.Call) and _call_name(node.func) not in GETTEXT_CALLS:
                    for text in _shown_text(node):
                        if _is_bare_text(text):
                            shown = (
                                text.value if isinstance(text, ast.Constant) else ast.unparse(text)
                            )
                            found.append((where, text.lineno, shown))
                elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "default_error_messages"
                    for t in node.targets
                ):
                    found += [
                        (where, v.lineno, v.value)
                        for v in getattr(node.value, "values", [])
                        if _is_bare_text(v)
                    ]
    return found


def test_error_messages_and_form_labels_are_wrapped_for_translation():
    """A message or label written as a bare literal is never extracted: people would read English."""
    problems = [
        f"  {where}:{line}: {text!r}"
        for where, line, text in unwrapped_texts()
        if (where, text) not in NOT_YET_WRAPPED
    ]
    assert not problems, (
        "wrap these in _l(...) (or N_ for schema messages) and run `make i18n-extract`:\n"
        + "\n".join(problems)
    )


def test_the_scan_sees_bare_messages_and_passes_wrapped_ones(tmp_path, monkeypatch):
    """The scan above flags what it should, and leaves codes, field names and log lines alone."""
    module = tmp_path / "app" / "services" / "sample.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "raise Invalid('plain words', {'field_code': 'field words', 'other': _l('wrapped')})\n"
        "raise Forbidden(f'{x} built')\n"
        "raise NotFound(_l('wrapped %(n)d', n=3))\n"
        "log.warning('a log line %s', x)\n"
        "name = StringField('Label words')\n"
        "code = SelectField(_l('Wrapped label'), choices=[('a_code', _l('A'))])\n"
        "check = Regexp('x', error='pattern words')\n"
        "flash('flashed words', 'error')\n"
        "flash(_('wrapped'), 'ok')\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert sorted(text for _where, _line, text in unwrapped_texts()) == sorted(
        [
            "plain words",
            "field words",
            "f'{x} built'",
            "Label words",
            "pattern words",
            "flashed words",
        ]
    )


# Words a page may show as they are: names of things, and the language switch's own name.
TEMPLATE_WORDS_AS_THEY_ARE = {"English", "CSV", "Excel"}
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_CODE_BLOCKS = re.compile(r"<(script|style)\b.*?</\1>", re.S)
_TEXT = re.compile(r">([^<>]*)<")
_SHOWN_ATTRIBUTES = re.compile(r'\b(?:title|placeholder|alt|aria-label)="([^"]*)"')


def bare_template_texts() -> list[tuple[str, str]]:
    """(template, text) of words written in a template outside any {{ _(...) }}."""
    found = []
    for path in sorted((ROOT / "app" / "templates").rglob("*.html")):
        html = _CODE_BLOCKS.sub(" ", _JINJA.sub(" ", path.read_text(encoding="utf-8")))
        for text in [*_TEXT.findall(html), *_SHOWN_ATTRIBUTES.findall(html)]:
            text = text.strip()
            if re.search(r"[A-Za-z]{2,}", text) and text not in TEMPLATE_WORDS_AS_THEY_ARE:
                found.append((str(path.relative_to(ROOT)), text))
    return found


def test_templates_write_no_words_outside_gettext():
    assert not bare_template_texts(), "wrap in {{ _('...') }}:\n" + "\n".join(
        f"  {where}: {text!r}" for where, text in bare_template_texts()
    )


def _marshmallow_messages() -> list[str]:
    """What the installed marshmallow says when validation fails, as it reaches an answer."""
    messages = []
    for name, cls in vars(ma_fields).items():
        if name.startswith("_") or not (isinstance(cls, type) and issubclass(cls, ma_fields.Field)):
            continue  # _TemporalField and the like: bases that no schema uses as they are
        templates = {}
        for klass in reversed(cls.__mro__):
            templates.update(getattr(klass, "default_error_messages", {}))
        awareness = getattr(cls, "AWARENESS", None)
        for key, template in templates.items():
            if key == "format" or (key == "invalid_awareness" and not awareness):
                continue  # "format": writing an answer, never reading a request
            messages.append(
                template.format(
                    obj_type=getattr(cls, "OBJ_TYPE", ""),
                    awareness=awareness,
                    choices="a, b",
                    input="x",
                )
            )
    messages += list(ma_schema.Schema._default_error_messages.values())
    failing = [
        (validate.Range(min=1, max=5), 9),
        (validate.Range(min=1, max=5, min_inclusive=False), 9),
        (validate.Range(min=1, max=5, max_inclusive=False), 9),
        (validate.Range(min=1, max=5, min_inclusive=False, max_inclusive=False), 9),
        (validate.Range(min=1), 0),
        (validate.Range(min=1, min_inclusive=False), 0),
        (validate.Range(max=5), 9),
        (validate.Range(max=5, max_inclusive=False), 9),
        (validate.Length(min=2, max=3), "x"),
        (validate.Length(min=2), "x"),
        (validate.Length(max=1), "xy"),
        (validate.Length(equal=2), "x"),
        (validate.OneOf(["a", "b"]), "c"),
        (validate.Equal(1), 2),
        (validate.ContainsOnly(["a"]), ["b"]),
        (validate.ContainsNoneOf(["a"]), ["a"]),
        (validate.Regexp("a"), "b"),
        (validate.Email(), "x"),
        (validate.URL(), "x"),
        (validate.Predicate("isdigit"), "x"),
    ]
    for validator, value in failing:
        with pytest.raises(ValidationError) as caught:
            validator(value)
        messages += caught.value.messages
    return messages


def test_every_marshmallow_message_has_a_chinese_translation(app, compiled_catalog):
    """Upgrading marshmallow must not bring English messages back into Chinese answers."""
    from flask_babel import force_locale

    from app.error_messages import in_language

    with app.test_request_context("/"), force_locale("zh"):
        english = [m for m in _marshmallow_messages() if in_language(m) == m]
    assert not english, (
        "add these to VALIDATION_MESSAGES in app/error_messages.py and translate them:\n"
        + "\n".join(f"  {m!r}" for m in english)
    )
