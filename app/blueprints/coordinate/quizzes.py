"""Quizzes (知晓率问答): write one (from the shipped bank or as text), print its poster, raise a
school's allowance; and the tips an area's site codes show the public."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app import qr
from app.blueprints.coordinate import bp
from app.content.quiz_bank import BANK
from app.content.tips import MAX_TIPS, TIPS
from app.errors import DomainError
from app.extensions import db
from app.guard import authorize
from app.kit import page_of, private
from app.schemas.common import load_query
from app.schemas.quiz import QuizSettingsPageSchema, quiz_from_page, tips_from_page
from app.services import areas as area_service
from app.services import awareness, public_pages
from app.services import quizzes as quiz_service


def _attempt(call):
    """Run a page's service call: (result, None), or (None, the refusal's field errors)."""
    try:
        return call(), None
    except DomainError as error:
        return None, error.errors or {"": [error.message]}


@bp.route("/quizzes", methods=["GET", "POST"])
@authorize("create", "quiz", methods=["POST"])
def quizzes():
    """The quizzes of my area, and a form to write one."""
    errors = None
    if request.method == "POST":
        quiz, errors = _attempt(
            lambda: quiz_service.create_quiz(current_user, quiz_from_page(request.form))
        )
        if quiz is not None:
            flash(_("Quiz saved: print its poster or share its link."), "ok")
            return redirect(url_for(".quiz", quiz_id=quiz.id))
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    html = render_template(
        "coordinate/quizzes.html",
        page=page_of(quiz_service.list_quizzes(current_user)),
        areas=areas,
        bank=BANK,
        errors=errors or {},
        posted=request.form,
    )
    return html, 422 if errors else 200


@bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@authorize("update", "quiz", load=quiz_service.get_quiz, methods=["POST"])
def quiz(quiz_id: int):
    """A quiz: its link, its answers so far, its allowance per address; close or reopen it."""
    found = quiz_service.get_quiz(current_user, quiz_id)
    errors = None
    if request.method == "POST":
        _done, errors = _attempt(
            lambda: quiz_service.update_quiz(
                current_user, found, load_query(QuizSettingsPageSchema(), request.form)
            )
        )
        if not errors:
            flash(_("Saved."), "ok")
            return redirect(url_for(".quiz", quiz_id=found.id))
    figures = awareness.quiz_figures(found)
    html = render_template(
        "coordinate/quiz.html",
        quiz=found,
        url=qr.quiz_url(found),
        figures=figures,
        errors=errors or {},
    )
    return private(make_response(html, 422 if errors else 200))


@bp.get("/quizzes/<int:quiz_id>/poster")
@authorize("print", "quiz", load=quiz_service.get_quiz)
def quiz_poster(quiz_id: int):
    """The quiz's poster for a school, a cinema or a stall (A4; printed in Chinese)."""
    found = quiz_service.get_quiz(current_user, quiz_id)
    url = qr.quiz_url(found)
    with force_locale("zh"):
        return render_template(
            "coordinate/quiz_poster.html", quiz=found, url=url, svg=Markup(qr.qr_svg(url))
        )


@bp.route("/areas/<int:area_id>/tips", methods=["GET", "POST"])
@authorize("update", "area", load=area_service.get_area, methods=["POST"])
def area_tips(area_id: int):
    """The anti-fraud tips the public sees when they scan a code of this area's sites."""
    area = area_service.get_area(current_user, area_id)
    errors = None
    if request.method == "POST":
        _done, errors = _attempt(
            lambda: public_pages.choose_tips(current_user, area, tips_from_page(request.form))
        )
        if not errors:
            flash(_("Saved."), "ok")
            return redirect(url_for(".area_tips", area_id=area.id))
    html = render_template(
        "coordinate/area_tips.html",
        area=area,
        tips=TIPS,
        chosen=public_pages.tips_for_area(area),
        own=area.public_tips is not None,
        most=MAX_TIPS,
        errors=errors or {},
    )
    return html, 422 if errors else 200
