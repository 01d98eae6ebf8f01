"""Site codes: signed tokens for /c/TOKEN links, and the QR images that carry them.

The only module that imports qrcode, and the only one that signs site tokens.
A token is "<site id>-<qr_version>.<HMAC-SHA256 in base64url>": about 50 characters,
so the whole link fits a version-5 code (37 modules) at error correction M.
"""

from __future__ import annotations

import hashlib
import io
import re
from functools import lru_cache

import qrcode
import qrcode.image.svg
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer

from app.errors import NotFound
from app.models import Site
from app.models.base import INT32_MAX

SALT = "gridreach.site-qr"
# Longest token we bother to verify: two 10-digit numbers, the separators and the signature.
MAX_TOKEN_LENGTH = 80
_PAYLOAD = re.compile(r"([1-9][0-9]{0,9})-([1-9][0-9]{0,9})")
_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4


class BadSiteToken(NotFound):
    """A site code that was damaged, altered or never made by us."""

    def __init__(self, message=None):
        text = message or _l("This code is not a valid site check-in code.")
        super().__init__(text, {"token": text})


def _signer() -> Signer:
    """Sign with SECRET_KEY; keys in SECRET_KEY_FALLBACKS still verify (itsdangerous tries each)."""
    config = current_app.config
    keys = [*config.get("SECRET_KEY_FALLBACKS", []), config["SECRET_KEY"]]  # the last one signs
    return Signer(keys, salt=SALT, key_derivation="hmac", digest_method=hashlib.sha256)


def make_token(site_id: int, qr_version: int) -> str:
    """The signed token for a site id and code version."""
    return _signer().sign(f"{site_id}-{qr_version}").decode("ascii")


def site_token(site: Site) -> str:
    """The token printed in a site's current code."""
    return make_token(site.id, site.qr_version)


def load_site_token(token: str) -> tuple[int, int]:
    """(site id, qr_version) from a token; BadSiteToken when altered or not ours."""
    if (
        not isinstance(token, str)
        or not token
        or len(token) > MAX_TOKEN_LENGTH
        or not token.isascii()
    ):
        raise BadSiteToken()
    config = current_app.config
    found = _verified(token, config["SECRET_KEY"], tuple(config.get("SECRET_KEY_FALLBACKS", ())))
    if found is None:
        raise BadSiteToken()
    return found


@lru_cache(maxsize=4096)
def _verified(token: str, _key: str, _fallbacks: tuple) -> tuple[int, int] | None:
    """The payload of a token signed with these keys, else None. Remembered for the keys it was
    checked with (a check-in reads its code twice, and a district has a few thousand codes);
    a key change asks again."""
    try:
        payload = _signer().unsign(token).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None
    match = _PAYLOAD.fullmatch(payload)
    if match is None or max(int(match.group(1)), int(match.group(2))) > INT32_MAX:
        return None
    return int(match.group(1)), int(match.group(2))


def site_url(site: Site) -> str:
    """The link a site's code encodes: PUBLIC_BASE_URL/c/TOKEN."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/c/{site_token(site)}"


def _code(data: str, image_factory=None, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=_ERROR_CORRECTION,
        border=QUIET_ZONE,
        box_size=box_size,
        image_factory=image_factory,
    )
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG of `data` (error correction M, a 4-module quiet zone)."""
    image = _code(data, box_size=box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    """An SVG document of `data` with a white background and a viewBox, so it scales to any size."""
    image = _code(data, image_factory=qrcode.image.svg.SvgPathFillImage).make_image()
    text = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", text)


def quiz_url(quiz) -> str:
    """The link a quiz's code encodes: PUBLIC_BASE_URL/q/TOKEN (public: no signature needed, the
    token is random and the page shows nothing private)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/q/{quiz.token}"
