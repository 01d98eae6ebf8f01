"""The product's display name is a setting: Chinese by default, its English form on English pages."""

from __future__ import annotations

import re


def title_and_brand(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    brand = re.search(r'<a class="brand"[^>]*>(.*?)</a>', html, re.S).group(1)
    return title, brand


def test_pages_carry_the_chinese_name_by_default_and_the_english_one_in_english(client):
    assert title_and_brand(client.get("/login").get_data(as_text=True)) == (
        "登录 · 反诈网格通",
        "反诈网格通",
    )
    client.get("/lang/en")
    assert title_and_brand(client.get("/login").get_data(as_text=True)) == (
        "Log in · GridReach",
        "GridReach",
    )


def test_a_district_names_it_its_own_way(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCT_NAME", "鄞州反诈通")
    monkeypatch.setitem(app.config, "PRODUCT_NAME_EN", "Yinzhou Anti-Fraud")
    html = client.get("/login").get_data(as_text=True)
    assert title_and_brand(html) == ("登录 · 鄞州反诈通", "鄞州反诈通")
    assert "GridReach" not in html and "反诈网格通" not in html
    client.get("/lang/en")
    assert title_and_brand(client.get("/login").get_data(as_text=True))[1] == "Yinzhou Anti-Fraud"


def test_posters_print_the_chinese_name_whatever_the_screen_language(
    app, client, login_as, district, monkeypatch
):
    monkeypatch.setitem(app.config, "PRODUCT_NAME", "鄞州反诈通")
    login_as(district.a.coordinator)
    client.get("/lang/en")
    html = client.get(f"/coordinate/sites/{district.a.sites[0].id}/poster").get_data(as_text=True)
    assert '<div class="mark" aria-label="鄞州反诈通">' in html and "<span>鄞州反诈通 · " in html
    assert "GridReach" not in html
