"""The geofence and every flag rule of the contract, at their boundaries."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from app import geo
from app.models import CheckIn
from app.services import checkin_rules as rules
from app.services.checkin_rules import Fix, judge

PIN = (29.900000, 121.550000)
NOW = datetime(2024, 11, 5, 8, 0, tzinfo=UTC)
# One metre north of a point, in degrees of latitude, near 29.9°N.
METRE = 1 / 110_850


def north(metres: float, base=PIN) -> tuple[float, float]:
    """A point `metres` north (south when negative) of `base`, to a millimetre."""
    sign, metres = (-1 if metres < 0 else 1), abs(metres)
    lat = base[0] + sign * metres * METRE
    for _ in range(5):  # Newton steps on the real geodesic distance
        lat += sign * (metres - geo.distance_m(base[0], base[1], lat, base[1])) * METRE
    return lat, base[1]


def fix(position, at=NOW) -> Fix:
    return Fix(position[0], position[1], at)


def verdict(position, accuracy=10.0, radius=100, at=NOW, previous=None, recent=0, received=NOW):
    return judge(fix(position, at), accuracy, PIN, radius, received, previous, recent)


def test_north_helper_is_exact():
    assert math.isclose(geo.distance_m(*PIN, *north(123.0)), 123.0, abs_tol=0.001)


class TestGeofence:
    def test_inside_the_radius_is_accepted(self):
        result = verdict(north(50))
        assert (result.status, result.reason) == ("accepted", None)
        assert math.isclose(result.distance_m, 50, abs_tol=0.01)

    @pytest.mark.parametrize(
        "accuracy, limit", [(None, 100), (0, 100), (20, 120), (50, 150), (80, 150)]
    )
    def test_radius_widened_by_accuracy_up_to_50_m(self, accuracy, limit):
        assert verdict(north(limit - 0.05), accuracy=accuracy).status != "rejected"
        outside = verdict(north(limit + 0.05), accuracy=accuracy)
        assert (outside.status, outside.reasons) == ("rejected", ["out_of_range"])

    def test_rejection_gives_the_distance(self):
        result = verdict(north(400))
        assert math.isclose(result.distance_m, 400, abs_tol=0.01)

    def test_rejection_comes_first_and_flags_only_apply_within_reach(self):
        stale = NOW - timedelta(days=10)
        result = verdict(north(500), accuracy=None, at=stale, recent=5)
        assert (result.status, result.reasons) == ("rejected", ["out_of_range"])

    def test_in_reach_helper_boundary_is_inclusive(self):
        assert rules.in_reach(150.0, 100, 50.0)
        assert not rules.in_reach(150.0001, 100, 50.0)


class TestAccuracy:
    def test_missing_accuracy_is_flagged(self):
        assert verdict(north(10), accuracy=None).reasons == ["no_accuracy"]

    @pytest.mark.parametrize(
        "accuracy, flagged", [(99.9, False), (100.0, False), (100.01, True), (500, True)]
    )
    def test_accuracy_over_100_m_is_flagged(self, accuracy, flagged):
        result = verdict(north(10), accuracy=accuracy)
        assert (result.reasons == ["poor_accuracy"]) is flagged
        assert result.status == ("flagged" if flagged else "accepted")


class TestSamePosition:
    def test_exactly_the_site_pin_is_flagged(self):
        assert verdict(PIN).reasons == ["at_site_pin"]

    def test_the_pin_to_six_decimals_is_flagged(self):
        assert verdict((PIN[0] + 0.0000004, PIN[1] - 0.0000004)).reasons == ["at_site_pin"]

    def test_one_step_in_the_sixth_decimal_is_not_the_pin(self):
        assert verdict((PIN[0] + 0.000001, PIN[1])).reasons == []

    def test_same_as_previous_fix_is_flagged(self):
        here = north(30)
        previous = fix(here, NOW - timedelta(hours=1))
        assert verdict(here, previous=previous).reasons == ["same_position"]

    def test_one_step_in_the_sixth_decimal_differs_from_previous(self):
        here = north(30)
        previous = fix((here[0], here[1] + 0.000001), NOW - timedelta(hours=1))
        assert verdict(here, previous=previous).reasons == []


class TestSpeed:
    def previous_at(self, metres_away: float, seconds_ago: float) -> Fix:
        return fix(north(-metres_away, north(0)), NOW - timedelta(seconds=seconds_ago))

    def test_120_kmh_is_allowed_just_over_is_flagged(self):
        # 1,000 m in 30 s = 120 km/h exactly.
        assert verdict(north(0.5), previous=self.previous_at(999.5, 30)).reasons == []
        assert verdict(north(0.5), previous=self.previous_at(1_001.5, 30)).reasons == ["too_fast"]

    def test_walking_pace_is_fine(self):
        assert verdict(north(5), previous=self.previous_at(2_000, 3600)).reasons == []

    def test_moving_in_no_time_is_too_fast(self):
        assert verdict(north(5), previous=self.previous_at(50, 0)).reasons == ["too_fast"]

    def test_speed_helper(self):
        a, b = fix(north(0), NOW), fix(north(1000), NOW + timedelta(seconds=30))
        assert math.isclose(rules.speed_kmh(a, b), 120, rel_tol=1e-6)
        assert rules.speed_kmh(a, fix(north(0), NOW)) == 0


class TestCaptureTime:
    @pytest.mark.parametrize(
        "offset, reasons",
        [
            (timedelta(minutes=5), []),
            (timedelta(minutes=5, seconds=1), ["future_time"]),
            (timedelta(days=1), ["future_time"]),
            (-timedelta(hours=72), []),
            (-timedelta(hours=72, seconds=1), ["too_old"]),
            (-timedelta(days=30), ["too_old"]),
        ],
    )
    def test_future_and_stale_captures(self, offset, reasons):
        assert verdict(north(10), at=NOW + offset).reasons == reasons

    def test_late_sending_alone_is_not_flagged(self):
        captured = NOW - timedelta(hours=47)  # kept on an offline phone for two days
        result = verdict(
            north(10),
            at=captured,
            previous=fix(north(10, (29.91, 121.55)), captured - timedelta(hours=1)),
        )
        assert (result.status, result.reasons) == ("accepted", [])


class TestRepeats:
    @pytest.mark.parametrize("earlier, flagged", [(0, False), (1, False), (2, True), (7, True)])
    def test_third_check_in_within_ten_minutes_is_flagged(self, earlier, flagged):
        assert (verdict(north(10), recent=earlier).reasons == ["repeated"]) is flagged


def test_several_reasons_are_all_given():
    result = verdict(PIN, accuracy=None, at=NOW + timedelta(hours=1), recent=2)
    assert result.status == "flagged"
    assert result.reasons == ["no_accuracy", "at_site_pin", "future_time", "repeated"]
    assert result.reason == "no_accuracy,at_site_pin,future_time,repeated"


def test_the_longest_combination_of_reasons_fits_the_column():
    longest = ",".join(["poor_accuracy", "at_site_pin", "same_position", "future_time", "repeated"])
    assert len(longest) <= CheckIn.__table__.c.reason.type.length
    assert max(len(code) for code in rules.REASON_TEXT) < 16


def test_reason_text_names_every_code(app):
    with app.test_request_context():
        assert rules.reason_text(None) is None
        text = rules.reason_text("out_of_range")
        assert text and "out_of_range" not in text
        assert rules.reason_text("no_accuracy,repeated").count(";") == 1


def test_verdicts_at_the_boundaries_are_those_of_geopys_distance(monkeypatch):
    """Every verdict around the geofence edge (radius, widened by accuracy) and the speed limit
    is the one geopy's geodesic() gave before distances were measured without it."""
    from geopy.distance import geodesic

    steps = [m / 100 for m in range(-300, 301, 7)]  # ±3 m around each edge, in 7 cm steps
    cases = [
        (north(edge + step), accuracy)
        for edge, accuracy in ((100, 0.0), (130, 30.0), (150, 80.0))
        for step in steps
    ]
    speed = [
        (north(0.5), fix(north(-(1000 + step), north(0)), NOW - timedelta(seconds=30)))
        for step in steps
    ]
    now = [verdict(p, accuracy=a) for p, a in cases] + [
        verdict(p, previous=prev) for p, prev in speed
    ]
    monkeypatch.setattr(geo, "distance_m", lambda a, b, c, d: geodesic((a, b), (c, d)).meters)
    before = [verdict(p, accuracy=a) for p, a in cases] + [
        verdict(p, previous=prev) for p, prev in speed
    ]
    assert [(v.status, v.distance_m, v.reasons) for v in now] == [
        (v.status, v.distance_m, v.reasons) for v in before
    ]
    assert {"accepted", "rejected"} <= {v.status for v in now}
    assert any(v.reasons == ["too_fast"] for v in now) and any(v.reasons == [] for v in now)


def test_too_fast_answers_as_the_geodesic_speed_does():
    """The spherical shortcut never changes the answer: random moves around the limit, and
    exactly at it, against speed_kmh (geodesic) itself."""
    import random

    rng = random.Random(17)
    start = fix(PIN, NOW)
    for _ in range(5000):
        seconds = rng.choice((0, 1, 30, 600, 3600)) + rng.random()
        metres = rng.uniform(0.5, 1.5) * rules.MAX_SPEED_KMH / 3.6 * seconds
        bearing = rng.uniform(0, 2 * math.pi)
        lat = PIN[0] + metres * math.cos(bearing) / 110_850
        lng = PIN[1] + metres * math.sin(bearing) / (110_850 * math.cos(math.radians(PIN[0])))
        later = fix((lat, lng), NOW + timedelta(seconds=seconds))
        assert rules.too_fast(start, later) == (rules.speed_kmh(start, later) > rules.MAX_SPEED_KMH)
    for metres in (999.5, 1000.0, 1000.5):  # 120 km/h over 30 s is 1,000 m
        later = fix(north(metres), NOW + timedelta(seconds=30))
        assert rules.too_fast(start, later) == (rules.speed_kmh(start, later) > rules.MAX_SPEED_KMH)
