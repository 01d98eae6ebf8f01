"""The door-to-door sheet in a real Chromium playing a phone: one tap records a visit with its GPS fix;
without signal the visit waits on the phone and reaches the server exactly once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Visit
from tests.browser.phone import BROWSER, script_ready
from tests.factories import PASSWORD, make_household

pytestmark = BROWSER

NEAR = (29.9003, 121.5502)  # ~40 m from the grid's only site
FAR = (29.9300, 121.5500)  # ~3.3 km north


@pytest.fixture
def world(live_server, district):
    grid = district.a.grids[0]
    households = [
        make_household(area=grid, label=label, tags=tags)
        for label, tags in (("12-1-101", ["elderly"]), ("12-1-102", []), ("3-2-301", ["student"]))
    ]
    db.session.commit()
    return {
        "grid": grid,
        "worker": district.a.worker,
        "households": households,
        "path": f"/visits/grids/{grid.id}",
    }


def visits() -> list[Visit]:
    """Visits as another connection sees them now."""
    db.session.rollback()
    return list(db.session.scalars(select(Visit).order_by(Visit.id)))


def open_sheet(phone, world):
    page = phone.new_page()
    page.goto(world["path"])
    assert "/login" in page.url
    page.fill("input[name=username]", world["worker"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#households")
    script_ready(page, "visits")
    assert page.url.endswith(world["path"])
    return page


def message(page, household, state):
    """Wait until the household's row says `state` (sent, queued, flagged, error, refused)."""
    selector = f'#hh-{household.id} .hh-msg[data-state="{state}"]'
    try:
        return page.wait_for_selector(selector)
    except Exception as error:
        shown = page.evaluate(
            f"() => document.querySelector('#hh-{household.id} .hh-msg').outerHTML"
        )
        raise AssertionError(f"waited for {state!r}; the row shows {shown}") from error


def tap(page, household, outcome):
    page.tap(f'#hh-{household.id} button[data-outcome="{outcome}"]')


def test_one_tap_records_a_visit_with_the_fix(phone_factory, world):
    page = open_sheet(phone_factory(position=NEAR), world)
    h = world["households"][0]
    tap(page, h, "reached")
    message(page, h, "sent")
    [visit] = visits()
    assert (visit.household_id, visit.outcome, visit.user_id) == (
        h.id,
        "reached",
        world["worker"].id,
    )
    assert (
        visit.lat == pytest.approx(NEAR[0])
        and visit.lng == pytest.approx(NEAR[1])
        and visit.accuracy_m == 8
    )
    assert (
        visit.flag_reason is None and visit.app_installed is False and visit.materials_count is None
    )
    assert page.get_attribute(f"#hh-{h.id}", "data-state") == "reached"
    assert page.get_attribute("#progress", "data-visited") == "1"


def test_leaflets_and_the_app_travel_with_the_tap(phone_factory, world):
    page = open_sheet(phone_factory(position=NEAR), world)
    h = world["households"][1]
    page.click(f"#hh-{h.id} .hh-more summary")
    page.fill(f"#hh-{h.id} .hh-materials", "2")
    page.check(f"#hh-{h.id} .hh-app")
    tap(page, h, "refused")
    message(page, h, "sent")
    [visit] = visits()
    assert (visit.outcome, visit.materials_count, visit.app_installed) == ("refused", 2, True)


def test_offline_then_online_stores_exactly_one_visit(phone_factory, world):
    phone = phone_factory(position=NEAR)
    page = open_sheet(phone, world)
    h = world["households"][2]
    phone.set_offline(True)
    tap(page, h, "not_home")
    message(page, h, "queued")
    page.wait_for_selector('#outbox-count[data-count="1"]', state="attached")
    assert visits() == []
    [kept] = page.evaluate("Outbox.items()")

    phone.set_offline(False)  # the outbox sends it by itself on `online`
    message(page, h, "sent")
    page.wait_for_selector('#outbox-count[data-count="0"]', state="attached")
    page.tap("#sync-btn")  # a manual 同步 afterwards changes nothing
    page.evaluate("Outbox.flush()")
    [visit] = visits()
    assert visit.client_id == kept["body"]["client_id"] and visit.outcome == "not_home"


def test_a_lost_answer_is_resent_and_never_duplicates(phone_factory, world):
    page = open_sheet(phone_factory(position=NEAR), world)
    h = world["households"][0]

    def deliver_then_drop(route):
        route.fetch()  # the server records it ...
        route.abort()  # ... but the answer never reaches the phone

    page.route("**/api/v1/visits", deliver_then_drop)
    tap(page, h, "reached")
    message(page, h, "queued")
    assert len(visits()) == 1
    page.unroute("**/api/v1/visits")
    page.tap("#sync-btn")
    message(page, h, "sent")
    assert len(visits()) == 1


def test_far_from_the_grid_is_recorded_with_a_flag(phone_factory, world):
    page = open_sheet(phone_factory(position=FAR), world)
    h = world["households"][0]
    tap(page, h, "reached")
    message(page, h, "flagged")
    [visit] = visits()
    assert visit.flag_reason == "outside_grid"


def test_blocked_location_records_nothing(phone_factory, world):
    page = open_sheet(phone_factory(position=NEAR, allow_location=False), world)
    h = world["households"][0]
    tap(page, h, "reached")
    message(page, h, "error")
    assert visits() == []
    assert page.is_enabled(f'#hh-{h.id} button[data-outcome="reached"]')


def test_search_by_building(phone_factory, world):
    page = open_sheet(phone_factory(position=NEAR), world)
    twelve, _, three = world["households"]
    page.fill("#hh-search", "3")
    assert page.is_hidden(f"#hh-{twelve.id}") and page.is_visible(f"#hh-{three.id}")
    page.fill("#hh-search", "１２")  # full-width digits, as some phone keyboards type them
    assert page.is_visible(f"#hh-{twelve.id}") and page.is_hidden(f"#hh-{three.id}")


def test_a_doorway_photo_taken_offline_joins_its_visit_once_back_online(phone_factory, world):
    """A doorway photo chosen before the outcome, without signal: the visit, its photo and the
    PATCH that joins them wait on the phone and arrive once; the stored photo has no EXIF."""
    import io

    from PIL import Image

    from app.models import Photo
    from app.photo_store import photo_store
    from tests.factories import tiny_jpeg

    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 9"
    original = tiny_jpeg(size=(2400, 1800), exif=exif.tobytes())
    phone = phone_factory(position=NEAR)
    page = open_sheet(phone, world)
    household = world["households"][0]
    phone.set_offline(True)
    with page.expect_file_chooser() as chooser:
        page.tap(f"#hh-{household.id} .hh-photo-btn")
    chooser.value.set_files(
        files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": original}]
    )
    message(page, household, "waiting")
    page.tap(f'#hh-{household.id} button[data-outcome="reached"]')
    page.wait_for_selector('#outbox-count[data-count="3"]', state="attached")
    assert visits() == []
    phone.set_offline(False)
    page.wait_for_selector(f'#hh-{household.id}[data-photo="sent"]')
    [visit] = visits()
    photos = list(db.session.scalars(select(Photo).where(Photo.visit_id == visit.id)))
    assert len(photos) == 1
    stored = photo_store().get(photos[0].key)
    image = Image.open(io.BytesIO(stored))
    assert max(image.size) == 1600 and len(image.getexif()) == 0 and b"PhoneCam" not in stored
