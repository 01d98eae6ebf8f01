"""Where a `next` parameter may send a browser: a path on this site, judged as a browser reads it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

# Browsers drop tabs and newlines anywhere in a URL and trim C0 controls and spaces at its
# ends, so "/\t/evil.example" arrives as "//evil.example": judge the target after doing the same.
_DROPPED = dict.fromkeys(map(ord, "\t\r\n"))
_TRIMMED = "".join(map(chr, range(0x21)))


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site (after a browser's normalisation), else home."""
    home = url_for("main.home")
    if not target:
        return home
    path = target.translate(_DROPPED).strip(_TRIMMED).replace("\\", "/")  # "\" counts as "/"
    if not path.startswith("/") or path.startswith("//"):
        return home
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return home
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return home
    return path
