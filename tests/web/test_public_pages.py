"""What the public sees without an account: a scanned site code's tips page and the quiz page."""

from __future__ import annotations

import re

from app import qr
from app.content.tips import DEFAULT_TIPS, TIPS
from app.extensions import db
from app.services.public_pages import choose_tips
from tests.factories import make_quiz, make_task


def _site_path(site) -> str:
    return f"/c/{qr.site_token(site)}"


def test_the_public_page_shows_tips_the_app_and_the_hotline_and_nothing_of_the_work(
    client, district
):
    site = district.a.sites[0]
    make_task(area=site.area, assignees=[district.a.worker], sites=[site], title="秘密任务")
    response = client.get(_site_path(site))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["X-Public-Page"] == "1"
    assert "国家反诈中心" in html and 'href="tel:96110"' in html
    for key in DEFAULT_TIPS:
        assert str(TIPS[key]) not in ("", None)
    assert html.count("<li>") == len(DEFAULT_TIPS)
    for private in (site.name, district.a.worker.display_name, "秘密任务", site.area.name):
        assert private not in html
    assert "take-quiz" not in html  # the area has no quiz
    assert "Set-Cookie" not in response.headers


def test_the_public_page_offers_the_nearest_open_quiz_and_the_chosen_tips(client, district, app):
    a = district.a
    site = a.sites[0]
    make_quiz(area=a.street, token="streetquiztoken1")
    make_quiz(area=a.community, token="communityquiz001")
    make_quiz(area=site.area, token="closedgridquiz01", active=False)
    with app.test_request_context():
        choose_tips(a.coordinator, a.community, ["loans", "shopping"])
    db.session.commit()
    html = client.get(_site_path(site)).get_data(as_text=True)
    assert 'href="/q/communityquiz001"' in html
    assert html.count("<li>") == 2


def test_a_damaged_or_replaced_code_still_shows_the_default_tips(client, district):
    site = district.a.sites[0]
    old = _site_path(site)
    site.qr_version += 1
    db.session.commit()
    for path in (old, old[:-3] + "xyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("<li>") == len(DEFAULT_TIPS)


def test_the_quiz_page_is_public_and_carries_no_answers(client, district):
    quiz = make_quiz(area=district.a.community, token="publicquiztoken1")
    response = client.get("/q/publicquiztoken1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert quiz.questions[0]["text"] in html and 'type="checkbox"' in html
    assert '"answer"' not in html and "<script>" not in html
    assert re.search(r'<script src="/static/js/quiz.js[^"]*" defer>', html)
    assert client.get("/q/nosuchquiz").status_code == 404


def test_the_public_pages_are_in_english_by_switch(client, district):
    quiz = make_quiz(area=district.a.community, token="englishquiztoken")
    html = client.get(f"/q/{quiz.token}?lang=en").get_data(as_text=True)
    assert "Anonymous" in html
