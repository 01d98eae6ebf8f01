"""Inside WeChat's browser the page says how to continue in the phone's browser; GridReach has a
web app manifest with icons, so that it installs to the home screen."""

from __future__ import annotations

import pytest

phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/5235 MMWEBSDK/20230701 "
    "MMWEBID/1234 MicroMessenger/8.0.40.2420(0x28002837) WeChat/arm64 Weixin NetType/WIFI"
)


def test_wechat_gets_the_notice_other_browsers_do_not(chromium, live_server):
    options = dict(phone.PHONE, base_url=live_server.url)
    inside = chromium.new_context(**options, user_agent=WECHAT_UA)
    page = inside.new_page()
    page.goto("/login")
    page.wait_for_selector("#wechat-notice", state="visible")
    assert "在浏览器打开" in page.inner_text("#wechat-notice")
    inside.close()
    outside = chromium.new_context(**options)
    page = outside.new_page()
    page.goto("/login")
    page.wait_for_selector("input[name=username]")
    assert not page.is_visible("#wechat-notice")
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        status = page.evaluate(f"fetch('{icon['src']}').then(r => r.status)")
        assert status == 200
    outside.close()
