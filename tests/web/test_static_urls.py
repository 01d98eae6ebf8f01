"""Static URLs name their file's version (a hash of its bytes), which nginx keeps a year."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import url_for

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_a_static_url_carries_the_hash_of_its_file(app):
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
        missing = url_for("static", filename="css/nothing-here.css")
        outside = url_for("static", filename="../config.py")
    digest = hashlib.sha256((STATIC / "css/app.css").read_bytes()).hexdigest()[:10]
    assert url == f"/static/css/app.css?v={digest}"
    assert missing == "/static/css/nothing-here.css" and "v=" not in outside


def test_a_changed_file_gets_a_new_url(app, tmp_path, monkeypatch):
    (tmp_path / "a.js").write_text("one", encoding="utf-8")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    with app.test_request_context():
        first = url_for("static", filename="a.js")
        (tmp_path / "a.js").write_text("two!", encoding="utf-8")
        second = url_for("static", filename="a.js")
    assert first != second and re.fullmatch(r"/static/a\.js\?v=[0-9a-f]{10}", second)


def test_pages_link_their_styles_and_scripts_by_version(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'href="/static/css/app\.css\?v=[0-9a-f]{10}"', html)
    assert re.search(r'src="/static/js/wechat\.js\?v=[0-9a-f]{10}"', html)
    assert (
        client.get(re.search(r'href="(/static/css/app\.css\?v=\w+)"', html).group(1)).status_code
        == 200
    )
