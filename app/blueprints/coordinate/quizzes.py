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
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.quiz_forms import QuizForm, QuizSettingsForm, TipsForm
from app.schemas.quiz import QuizPageSchema, QuizPatchSchema, TipsPageSchema
from app.services import areas as area_service
from app.services import awareness, public_pages
from app.services import quizzes as quiz_service


@bp.route("/quizzes", methods=["GET", "POST"])
@authorize("create", "quiz", methods=["POST"])
def quizzes():
    """The quizzes of my area, and a form to write one."""
    form = QuizForm()
    create = lambda data: quiz_service.create_quiz(current_user, data)  # noqa: E731
    quiz = submit(form, create, schema=QuizPageSchema())
    if quiz is not None:
        flash(_("Quiz saved: print its poster or share its link."), "ok")
        return redirect(url_for(".quiz", quiz_id=quiz.id))
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    html = render_template(
        "coordinate/quizzes.html",
        page=page_of(quiz_service.list_quizzes(current_user)),
        areas=areas,
        bank=BANK,
        errors=form.errors,
        posted=request.form,
    )
    return html, answer_status(form)


@bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@authorize("update", "quiz", load=quiz_service.get_quiz, methods=["POST"])
def quiz(quiz_id: int):
    """A quiz: its link, its answers so far, its allowance per address; close or reopen it."""
    found = quiz_service.get_quiz(current_user, quiz_id)
    form = QuizSettingsForm()
    update = lambda data: quiz_service.update_quiz(current_user, found, data)  # noqa: E731
    if submit(form, update, schema=QuizPatchSchema()) is not None:
        flash(_("Saved."), "ok")
        return redirect(url_for(".quiz", quiz_id=found.id))
    figures = awareness.quiz_figures(found)
    html = render_template(
        "coordinate/quiz.html",
        quiz=found,
        url=qr.quiz_url(found),
        figures=figures,
        errors=form.errors,
    )
    return private(make_response(html, answer_status(form)))


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
    form = TipsForm()
    choose = lambda data: public_pages.choose_tips(current_user, area, data["tips"])  # noqa: E731
    if submit(form, choose, schema=TipsPageSchema()) is not None:
        flash(_("Saved."), "ok")
        return redirect(url_for(".area_tips", area_id=area.id))
    html = render_template(
        "coordinate/area_tips.html",
        area=area,
        tips=TIPS,
        chosen=public_pages.tips_for_area(area),
        own=area.public_tips is not None,
        most=MAX_TIPS,
        errors=form.errors,
    )
    return html, answer_status(form)
