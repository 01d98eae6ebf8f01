"""What the public sees when a code is scanned without an account: tips and a quiz, never the
site's workers or tasks. A damaged or replaced code still shows the default tips."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import qr
from app.content.tips import DEFAULT_TIPS, MAX_TIPS, TIPS
from app.errors import Invalid
from app.extensions import db
from app.models import Area, Quiz, Site, User
from app.policy import require
from app.services.audit import record_event
from app.services.quizzes import quiz_for_area


@dataclass(frozen=True)
class PublicSide:
    tips: list  # lazy texts, in the order chosen
    quiz: Quiz | None


def for_site_token(token: str) -> PublicSide:
    """The tips and the quiz of the area of the site a code names (defaults for a bad code)."""
    try:
        site_id, version = qr.load_site_token(token)
    except qr.BadSiteToken:
        return PublicSide(texts(DEFAULT_TIPS), None)
    site = db.session.get(Site, site_id, options=[joinedload(Site.area)])
    if site is None or not site.active or site.qr_version != version:
        return PublicSide(texts(DEFAULT_TIPS), None)
    return PublicSide(texts(tips_for_area(site.area)), quiz_for_area(site.area))


def texts(keys) -> list:
    return [TIPS[k] for k in keys if k in TIPS]


def tips_for_area(area: Area) -> list[str]:
    """The tips chosen for the area or for the nearest area above it, else the default set."""
    ids = [int(part) for part in area.path.strip("/").split("/")]
    chosen = dict(
        db.session.execute(
            select(Area.id, Area.public_tips).where(Area.id.in_(ids), Area.public_tips.is_not(None))
        ).all()
    )
    for area_id in reversed(ids):
        if chosen.get(area_id):
            return chosen[area_id]
    return list(DEFAULT_TIPS)


def choose_tips(actor: User, area: Area, keys: list[str]) -> Area:
    """Set the tips an area's sites show the public (empty: inherit from above, or the default)."""
    require(actor, "update", "area", area)
    unknown = [k for k in keys if k not in TIPS]
    if unknown or len(keys) > MAX_TIPS:
        text = _l("choose at most %(n)d of the listed tips", n=MAX_TIPS)
        raise Invalid(text, {"tips": [text]})
    area.public_tips = list(dict.fromkeys(keys)) or None
    db.session.flush()
    record_event(actor, "area.tips", area, tips=area.public_tips)
    return area
