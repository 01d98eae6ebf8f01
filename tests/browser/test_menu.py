"""The phone's top bar: the brand and the role's links, with the language choice and logging out
folded into one menu (a <details>, so it works without any script)."""

from __future__ import annotations

import pytest

from app import qr
from tests.browser.phone import BROWSER, log_in

pytestmark = BROWSER
NEAR = (29.9002, 121.5501)


@pytest.fixture
def world(live_server, district):
    site = district.a.sites[0]
    return {"worker": district.a.worker, "path": f"/c/{qr.site_token(site)}"}


def top_bar_links(page) -> list[str]:
    """The top bar's links and buttons a person can see right now."""
    return page.eval_on_selector_all(
        "header.top a, header.top button, header.top summary",
        "nodes => nodes.filter(n => n.checkVisibility()).map(n => n.textContent.trim())",
    )


def test_language_and_logout_live_in_the_menu(phone_factory, world):
    page = phone_factory(position=NEAR).new_page()
    page.goto(world["path"])
    log_in(page, world["worker"])
    name = world["worker"].display_name
    assert top_bar_links(page) == [
        "反诈网格通",
        "入户走访",
        "通知",  # the notifications, with the unread badge when there are any
        name,
    ]  # no language link, no logout button
    assert page.locator("header.top").bounding_box()["height"] < 60  # one line on a phone

    page.click("#menu summary")
    assert top_bar_links(page) == [
        "反诈网格通",
        "入户走访",
        "通知",
        name,
        "中文",
        "English",
        "退出登录",
    ]
    assert page.get_attribute("#menu a[hreflang=zh]", "aria-current") == "true"
    panel = page.locator(".menu-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390  # on the screen

    page.click("#menu a[hreflang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.url.endswith(world["path"])  # back on the same page, now in English
    assert top_bar_links(page) == ["GridReach", "Door to door", "Notifications", name]

    page.focus("#menu summary")  # the menu opens from the keyboard too
    page.keyboard.press("Enter")
    page.wait_for_selector("#menu[open]")
    page.click("#logout-form button")
    page.wait_for_selector("input[name=username]")
    assert top_bar_links(page) == ["GridReach", "Language"]


def test_logged_out_the_menu_holds_the_language_alone(phone_factory, live_server):
    page = phone_factory().new_page()
    page.goto("/login")
    assert top_bar_links(page) == ["反诈网格通", "语言"]
    page.click("#menu summary")
    assert top_bar_links(page) == ["反诈网格通", "语言", "中文", "English"]
    assert page.locator("#logout-form").count() == 0
    page.click("#menu a[hreflang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.url.endswith("/login")
