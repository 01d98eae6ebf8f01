"""Versioned static URLs: url_for('static', filename=...) carries `v`, a hash of the file's bytes,
so that nginx can let browsers keep a versioned file for a year (deploy/nginx/gridreach.conf) and
a release that changes a file changes its URL. Hashes are remembered per file and size/mtime."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import current_app

_seen: dict[str, tuple[int, int, str]] = {}


def file_version(path: Path) -> str | None:
    """The first 10 hex digits of the file's SHA-256; None when there is no such file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = str(path)
    known = _seen.get(key)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    _seen[key] = (stat.st_mtime_ns, stat.st_size, version)
    return version


def add_static_version(endpoint: str, values: dict) -> None:
    """url_defaults hook: `v` on static URLs of files under the static folder."""
    if endpoint != "static" or "v" in values or not values.get("filename"):
        return
    folder = Path(current_app.static_folder).resolve()
    path = (folder / values["filename"]).resolve()
    if folder not in path.parents:
        return
    version = file_version(path)
    if version:
        values["v"] = version
