"""Production serves Chinese pages: it refuses to start without the compiled zh catalogue, and
`make install` compiles it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app import create_app
from config import ProductionConfig

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def _production(translations: Path):
    class Production(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        BABEL_TRANSLATION_DIRECTORIES = str(translations)

    return Production


@pytest.fixture
def translations(tmp_path, monkeypatch):
    """A copy of the catalogue sources, not compiled."""
    monkeypatch.setenv("GRIDREACH_ENV", "production")
    folder = tmp_path / "translations" / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(PO, folder / "messages.po")
    return tmp_path / "translations"


def test_production_refuses_to_start_without_the_compiled_catalogue(translations):
    with pytest.raises(
        RuntimeError, match=r"zh translation catalogue is not compiled.*run `make install`"
    ):
        create_app(_production(translations))


def test_production_with_the_compiled_catalogue_answers_in_chinese(translations):
    folder = translations / "zh" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, read_po(po, locale="zh"))
    app = create_app(_production(translations))
    page = app.test_client().get("/login", base_url="https://gridreach.test")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN"' in html and "<h1>登录</h1>" in html and "Log in" not in html


@pytest.mark.parametrize("target", ["install", "install-prod"])
def test_make_install_compiles_a_changed_catalogue(target):
    """`make install` and `make install-prod` (runtime requirements only: Babel is one of them)
    compile a catalogue whose source is newer than its .mo (make -n: shown, not run)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(
        ["make", "-n", "-W", str(PO.relative_to(ROOT)), target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert plan.returncode == 0, plan.stderr
    assert re.search(
        r"pybabel compile .*-i app/translations/zh/LC_MESSAGES/messages.po "
        r"-o app/translations/zh/LC_MESSAGES/messages.mo",
        plan.stdout,
    ), plan.stdout
    if target == "install-prod":
        assert "-r requirements.txt" in plan.stdout or "requirements-dev" not in plan.stdout
