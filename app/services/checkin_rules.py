"""The judgement of one check-in: in reach of the site or not, and what makes it suspect.

Pure functions over plain values (no database), so every rule and boundary is testable alone.
The rules are the contract's: rejection first; flags only for check-ins within reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from flask_babel import get_locale

from app import geo
from app.labels import CHECKIN_REASON_LABELS

ACCURACY_ALLOWANCE_CAP_M = 50.0  # a fix's accuracy widens the radius by at most this much
POOR_ACCURACY_M = 100.0  # worse than this (or none at all) is held for review
MAX_SPEED_KMH = 120.0  # faster than this since the previous check-in is impossible on foot or bike
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_AGE = timedelta(hours=72)
REPEAT_WINDOW = timedelta(minutes=10)
REPEAT_LIMIT = 3  # the third check-in at one site within the window is flagged
SAME_POSITION_DECIMALS = 6

# Reason codes (stored comma-separated in CheckIn.reason); their words live in app.labels.
REASON_TEXT = CHECKIN_REASON_LABELS


@dataclass(frozen=True)
class Fix:
    """A position and the moment it was captured."""

    lat: float
    lng: float
    captured_at: datetime


@dataclass
class Verdict:
    """The outcome: a status, the reasons for it, and the distance to the site."""

    status: str
    distance_m: float
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        return ",".join(self.reasons) or None


def same_position(lat1: float, lng1: float, lat2: float, lng2: float) -> bool:
    """True when two positions are equal to 6 decimals (a replayed or typed-in fix)."""
    digits = SAME_POSITION_DECIMALS
    return round(lat1, digits) == round(lat2, digits) and round(lng1, digits) == round(lng2, digits)


def in_reach(distance_m: float, radius_m: float, accuracy_m: float | None) -> bool:
    """Within the radius, widened by the fix's accuracy up to the cap."""
    allowance = min(accuracy_m, ACCURACY_ALLOWANCE_CAP_M) if accuracy_m is not None else 0.0
    return distance_m <= radius_m + allowance


def speed_kmh(previous: Fix, current: Fix) -> float:
    """Speed between two fixes; infinite when time stood still but the position moved."""
    metres = geo.distance_m(previous.lat, previous.lng, current.lat, current.lng)
    seconds = (current.captured_at - previous.captured_at).total_seconds()
    if seconds <= 0:
        return float("inf") if metres > 0 else 0.0
    return metres / seconds * 3.6


# A spherical distance is within 0.6 % of the WGS-84 geodesic one: outside this margin (1 %) of
# the limit it decides too_fast alone; within it the geodesic distance is measured as always.
_ROUGH_MARGIN = 0.01


def too_fast(previous: Fix, current: Fix) -> bool:
    """Faster than MAX_SPEED_KMH since the previous fix: speed_kmh's answer, measuring the
    geodesic distance only when a spherical one is too close to the limit to decide."""
    seconds = (current.captured_at - previous.captured_at).total_seconds()
    if seconds > 0:
        rough = geo.spherical_m(previous.lat, previous.lng, current.lat, current.lng)
        limit = MAX_SPEED_KMH / 3.6 * seconds
        if rough * (1 + _ROUGH_MARGIN) < limit:
            return False
        if rough * (1 - _ROUGH_MARGIN) > limit:
            return True
    return speed_kmh(previous, current) > MAX_SPEED_KMH


def flags(
    fix: Fix,
    accuracy_m: float | None,
    site_pin: tuple[float, float],
    received_at: datetime,
    previous: Fix | None,
    recent_at_site: int,
) -> list[str]:
    """Every reason to hold a check-in within reach for review; `recent_at_site` counts the
    worker's earlier check-ins at the site within the repeat window."""
    reasons = []
    if accuracy_m is None:
        reasons.append("no_accuracy")
    elif accuracy_m > POOR_ACCURACY_M:
        reasons.append("poor_accuracy")
    if same_position(fix.lat, fix.lng, *site_pin):
        reasons.append("at_site_pin")
    if previous is not None and same_position(fix.lat, fix.lng, previous.lat, previous.lng):
        reasons.append("same_position")
    if previous is not None and too_fast(previous, fix):
        reasons.append("too_fast")
    if fix.captured_at > received_at + FUTURE_TOLERANCE:
        reasons.append("future_time")
    elif fix.captured_at < received_at - MAX_AGE:
        reasons.append("too_old")
    if recent_at_site + 1 >= REPEAT_LIMIT:
        reasons.append("repeated")
    return reasons


def judge(
    fix: Fix,
    accuracy_m: float | None,
    site_pin: tuple[float, float],
    radius_m: float,
    received_at: datetime,
    previous: Fix | None = None,
    recent_at_site: int = 0,
) -> Verdict:
    """Reject what is out of reach; flag what is in reach but suspect; accept the rest."""
    distance = geo.distance_m(fix.lat, fix.lng, *site_pin)
    if not in_reach(distance, radius_m, accuracy_m):
        return Verdict("rejected", distance, ["out_of_range"])
    reasons = flags(fix, accuracy_m, site_pin, received_at, previous, recent_at_site)
    return Verdict("flagged" if reasons else "accepted", distance, reasons)


def reason_text(reason: str | None) -> str | None:
    """The reasons of a stored check-in as one line of text in the current language."""
    if not reason:
        return None
    return _reason_text(str(get_locale()), reason)


@lru_cache(maxsize=1024)
def _reason_text(_language: str, reason: str) -> str:
    """reason_text's line, worked out once per language (the catalogues do not change while the
    process runs): a flagged check-in's answer otherwise looks each word up anew."""
    return "; ".join(str(REASON_TEXT.get(code, code)) for code in reason.split(","))
