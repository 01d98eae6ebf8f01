"""A worker's own sites: their grids' and their tasks', done or to do this round, with directions."""

from datetime import timedelta
from urllib.parse import unquote

from app import geo
from app.extensions import db
from app.models.base import utcnow
from app.services.my_sites import navigation_links
from tests.factories import make_checkin, make_site, make_task


def test_my_grids_sites_with_done_marked_and_directions(district, login_as):
    worker = district.a.worker  # works grid 1 of street 甲
    mine = district.a.sites[0]
    other = district.a.sites[1]  # grid 2: not mine, until a task names it
    extra = make_site(area=district.a.grids[0], name="菜市场展板", lat=29.905, lng=121.56)
    make_checkin(site=mine, user=worker, at=utcnow() - timedelta(minutes=5))
    make_task(area=district.a.grids[1], assignees=[worker], sites=[other], kind="site_check")
    db.session.commit()
    page = login_as(worker).get("/worker/sites").get_data(as_text=True)
    order = [chunk.split('"')[0] for chunk in page.split('data-id="')[1:]]
    # To do first, then by name; the done one last.
    assert order[-1] == str(mine.id) and set(order) == {str(mine.id), str(other.id), str(extra.id)}
    done = page[page.index(f'data-id="{mine.id}"') :].split("</li>")[0]
    assert 'data-done="1"' in done and "已完成" in done
    assert district.b.sites[0].name not in page


def test_navigation_links_carry_each_apps_datum():
    lat, lng = 29.9, 121.55
    links = navigation_links(lat, lng, "广场 展板")
    glat, glng = geo.from_wgs84(lat, lng, "gcj02")
    blat, blng = geo.from_wgs84(lat, lng, "bd09")
    assert f"to={glng:.6f},{glat:.6f}," in links["amap"] and "coordinate=gaode" in links["amap"]
    assert (
        f"latlng:{blat:.6f},{blng:.6f}|" in links["baidu"] and "coord_type=bd09ll" in links["baidu"]
    )
    assert "广场 展板" in unquote(links["amap"])


def test_the_workers_home_links_to_my_sites(district, login_as):
    page = login_as(district.a.worker).get("/").get_data(as_text=True)
    assert 'href="/worker/sites"' in page
