"""Site tokens (tamper, rotation, old secret keys, garbage) and the QR images a real decoder reads."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from PIL import Image

from app import qr
from tests.qr_decode import decode, needs_zbar, rasterise_svg


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def site(id=7, qr_version=1):
    return SimpleNamespace(id=id, qr_version=qr_version)


def test_token_round_trip_is_short_and_url_safe(ctx):
    token = qr.site_token(site(123456, 3))
    assert qr.load_site_token(token) == (123456, 3)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)
    assert len(token) <= 60


def test_token_keeps_a_full_hmac_sha256(ctx):
    signature = qr.site_token(site()).rsplit(".", 1)[1]
    assert len(signature) == 43  # 32 bytes in base64url: no truncation


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: "8" + t[1:],  # site id altered
        lambda t: t.replace("-1.", "-2."),  # version altered
        lambda t: t.split(".")[0],  # signature dropped
        lambda t: t + "x",
    ],
)
def test_tampered_tokens_are_refused(ctx, mutate):
    token = qr.site_token(site(7, 1))
    with pytest.raises(qr.BadSiteToken) as info:
        qr.load_site_token(mutate(token))
    assert info.value.status == 404 and "token" in info.value.errors


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "x",
        "...",
        "7-1",
        "7-1.",
        ".abc",
        "0-1.abc",
        "a" * 500,
        "签到.abc",
        "7-1.=====",
        None,
        42,
    ],
)
def test_garbage_tokens_are_refused(ctx, garbage):
    with pytest.raises(qr.BadSiteToken):
        qr.load_site_token(garbage)


def test_a_validly_signed_but_malformed_payload_is_refused(ctx):
    forged = qr._signer().sign("7-1-x").decode()
    with pytest.raises(qr.BadSiteToken):
        qr.load_site_token(forged)


def test_rotation_changes_the_token(ctx):
    assert qr.site_token(site(7, 1)) != qr.site_token(site(7, 2))
    assert qr.load_site_token(qr.site_token(site(7, 2))) == (7, 2)


def test_tokens_signed_with_an_old_key_verify_through_fallbacks(ctx):
    config = ctx.config
    old_key, saved = config["SECRET_KEY"], dict(config)
    old_token = qr.site_token(site(9, 4))
    try:
        config["SECRET_KEY"], config["SECRET_KEY_FALLBACKS"] = "a-brand-new-key", [old_key]
        assert qr.load_site_token(old_token) == (9, 4)
        new_token = qr.site_token(site(9, 4))
        assert new_token != old_token  # new codes are signed with the new key
        config["SECRET_KEY_FALLBACKS"] = []
        with pytest.raises(qr.BadSiteToken):
            qr.load_site_token(old_token)
        assert qr.load_site_token(new_token) == (9, 4)
    finally:
        config.clear()
        config.update(saved)


def test_a_token_from_another_secret_is_refused(ctx):
    token = qr.site_token(site())
    ctx.config["SECRET_KEY"], saved = "someone-else", ctx.config["SECRET_KEY"]
    try:
        with pytest.raises(qr.BadSiteToken):
            qr.load_site_token(token)
    finally:
        ctx.config["SECRET_KEY"] = saved


def test_site_url_uses_public_base_url(ctx):
    url = qr.site_url(site(5, 2))
    assert url == "http://gridreach.test/c/" + qr.site_token(site(5, 2))


def test_png_is_black_on_white_with_a_quiet_zone(ctx, tmp_path):
    path = tmp_path / "code.png"
    path.write_bytes(qr.qr_png(qr.site_url(site())))
    image = Image.open(path).convert("L")
    box = image.width // 45 if image.width % 45 == 0 else None
    assert box, "a version-5 code with a 4-module border is 45 modules wide"
    border = image.crop((0, 0, image.width, 4 * box))
    assert border.getextrema() == (255, 255)


@needs_zbar
def test_png_decodes_to_the_site_url(ctx, tmp_path):
    url = qr.site_url(site(4321, 12))
    path = tmp_path / "code.png"
    path.write_bytes(qr.qr_png(url))
    assert decode(path) == [url]


@needs_zbar
def test_svg_scales_and_decodes_to_the_site_url(ctx, tmp_path):
    url = qr.site_url(site(77, 2))
    svg = qr.qr_svg(url)
    assert svg.startswith("<svg") and 'viewBox="0 0 45 45"' in svg
    path = tmp_path / "svg.png"
    rasterise_svg(svg).save(path)
    assert decode(path) == [url]
