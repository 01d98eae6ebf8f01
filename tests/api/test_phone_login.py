"""Logging in with a phone number as well as a username, in the API and on the login page."""

from __future__ import annotations

from tests.api.test_auth import get_token
from tests.factories import PASSWORD, make_user


def test_a_phone_number_logs_in_like_the_username(client, district):
    worker = make_user(role="worker", area=district.a.community, phone="13812345678")
    for typed in ("13812345678", "138-1234 5678", "１３８１２３４５６７８"):
        response = get_token(client, typed)
        assert response.status_code == 200, typed
        assert response.get_json()["user"]["id"] == worker.id
    assert get_token(client, "13812345678", "Not-The-Password-1").status_code == 401


def test_a_phone_two_people_share_logs_nobody_in(client, district):
    make_user(role="worker", area=district.a.community, phone="13800000077")
    make_user(role="worker", area=district.b.community, phone="13800000077")
    assert get_token(client, "13800000077").status_code == 401


def test_a_username_wins_over_someone_elses_phone(client, district):
    owner = make_user(role="worker", area=district.a.community, username="13900000001")
    make_user(role="worker", area=district.a.community, phone="13900000001")
    assert get_token(client, "13900000001").get_json()["user"]["id"] == owner.id


def test_the_login_page_takes_a_phone_number(client, district):
    make_user(role="worker", area=district.a.community, phone="13700000002")
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "Username or phone number" in page
    response = client.post("/login", data={"username": "13700000002", "password": PASSWORD})
    assert response.status_code == 302
