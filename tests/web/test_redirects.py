"""`next` never sends a browser to another site: judged after the normalisation browsers apply
(tabs and newlines dropped, controls and spaces trimmed, backslashes read as slashes)."""

from __future__ import annotations

from urllib.parse import quote, urljoin

import pytest

from tests.factories import PASSWORD

BYPASSES = [
    "//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "\x00//evil.example",
    "\x1f/\x7f/evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\t\\evil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "//evil.example/%2e%2e",
    "\x0b//evil.example",
    "//\tevil.example",
    "///evil.example",
]
# Odd but on this site: followed as paths, never a 500, never a header split.
ODD = ["/ /evil.example", "/\r\nSet-Cookie: x=1", "/%0d%0aSet-Cookie:x=1", "/a\tb"]
SAFE = [
    "/",
    "/coordinate/users?role=worker",
    "/coordinate/households?area_id=3#list",
    "/tasks/名字",
]


def browser_target(location: str) -> str:
    """Where a browser goes: it drops tabs and newlines, trims spaces and controls, reads \\ as /."""
    cleaned = "".join(c for c in location if c not in "\t\r\n").strip(
        "".join(map(chr, range(0x21)))
    )
    return urljoin("http://localhost/", cleaned.replace("\\", "/"))


def assert_stays_home(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    assert browser_target(location).startswith("http://localhost/"), location
    assert location == "/", location


@pytest.mark.parametrize("target", BYPASSES)
def test_login_next_bypasses_land_home(client, district, target):
    page = client.get(f"/login?next={quote(target, safe='')}")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={"username": district.a.worker.username, "password": PASSWORD, "next": target},
    )
    assert_stays_home(response)


@pytest.mark.parametrize("target", BYPASSES)
def test_language_switch_next_bypasses_land_home(client, target):
    assert_stays_home(client.get(f"/lang/en?next={quote(target, safe='')}"))


@pytest.mark.parametrize("target", SAFE)
def test_paths_on_this_site_are_followed(client, district, target):
    assert client.get(f"/lang/zh?next={quote(target, safe='')}").headers["Location"] == quote(
        target, safe="/?=&#"
    )
    response = client.post(
        "/login",
        data={"username": district.a.worker.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == quote(target, safe="/?=&#")


@pytest.mark.parametrize("target", ODD)
def test_odd_paths_stay_on_this_site(client, district, target):
    for response in (
        client.get(f"/lang/en?next={quote(target, safe='')}"),
        client.post(
            "/login",
            data={"username": district.a.worker.username, "password": PASSWORD, "next": target},
        ),
    ):
        assert response.status_code == 302
        location = response.headers["Location"]
        assert (
            not any(c in location for c in "\r\n\t")
            and location.startswith("/")
            and location[1] != "/"
        )
        assert browser_target(location).startswith("http://localhost/")
        assert client.get_cookie("x") is None  # no header was split off


def test_tabs_inside_a_safe_path_are_dropped_as_a_browser_would(client):
    assert (
        client.get("/lang/en?next=/coordinate/us%09ers").headers["Location"] == "/coordinate/users"
    )
