"""Every chart page draws every series and component it asks for with the custom ECharts build
(static/vendor/echarts/build/entry.js). A production build of ECharts drops a series type or a
component it was not built with and says nothing, so the pages' own options are recorded as they
are set and compared with what each chart built; any "[ECharts]" console message fails too."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from tests import factories
from tests.browser.conftest import DESKTOP
from tests.browser.phone import BROWSER
from tests.factories import PASSWORD

pytestmark = BROWSER

# Before any page script: when the page's <script> defines the global `echarts`, wrap init so that
# each chart's setOption is recorded under its container's id.
RECORD = """(() => {
  window.__chartOptions = {};
  let real;
  Object.defineProperty(window, "echarts", {
    configurable: true,
    get() { return real; },
    set(value) {
      // The bundle's exports are read-only getters: wrap a plain copy of them.
      real = Object.assign({}, value);
      const init = value.init;
      real.init = function (dom) {
        const chart = init.apply(value, arguments);
        const setOption = chart.setOption;
        chart.setOption = function (option) {
          (window.__chartOptions[dom.id] = window.__chartOptions[dom.id] || []).push(option);
          return setOption.apply(this, arguments);
        };
        return chart;
      };
    }
  });
})();"""

# Option keys that are settings of the whole chart, not components.
NOT_COMPONENTS = ["series", "textStyle", "color", "backgroundColor", "animation", "media"]

# For each recorded chart: what the options asked for and what the chart built.
BUILT = """(ignored) => {
  const out = {};
  for (const [id, options] of Object.entries(window.__chartOptions)) {
    const chart = echarts.getInstanceByDom(document.getElementById(id));
    const model = chart.getModel();
    const asked = { series: [], components: [] };
    for (const option of options) {
      for (const s of [].concat(option.series || [])) asked.series.push(s.type);
      for (const [key, value] of Object.entries(option)) {
        if (!ignored.includes(key) && value !== null && typeof value === "object") asked.components.push(key);
      }
    }
    out[id] = {
      asked,
      series: model.getSeries().map(s => s.subType),
      points: model.getSeries().map(s => s.getData().count()),
      missing: asked.components.filter(key => !model.getComponent(key)),
    };
  }
  return out;
}"""


@pytest.fixture
def district(live_server):
    district = factories.build_district()
    district.a.community.population = district.b.community.population = 10000
    for community, lng in ((district.a.community, 121.54), (district.b.community, 121.56)):
        community.boundary = {
            "type": "Polygon",
            "coordinates": [
                [[lng, 29.9], [lng + 0.02, 29.9], [lng + 0.02, 29.92], [lng, 29.92], [lng, 29.9]]
            ],
        }
    factories.make_case(area=district.a.community, occurred_on=date(2026, 3, 5), loss="800")
    db.session.commit()
    return district


@pytest.fixture
def chart_page(chromium, live_server):
    """open(user, path) → (a logged-in page that records its charts' options, its problems)."""
    contexts = []

    def open_page(user, path):
        context = chromium.new_context(base_url=live_server.url, **DESKTOP)
        context.set_default_timeout(20_000)
        context.add_init_script(RECORD)
        contexts.append(context)
        problems: list[str] = []
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text}")
                if "[ECharts]" in msg.text
                or (msg.type == "error" and not msg.location.get("url", "").endswith("favicon.ico"))
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.goto("/login?next=" + path.replace("&", "%26").replace("?", "%3F"))
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page, problems

    yield open_page
    for context in contexts:
        context.close()


def assert_built(page, expected: dict[str, list[str]]) -> None:
    built = page.evaluate(BUILT, NOT_COMPONENTS)
    assert sorted(built) == sorted(expected), built
    for chart_id, series in expected.items():
        chart = built[chart_id]
        assert chart["asked"]["series"] == series, chart
        assert chart["series"] == series, f"{chart_id}: series not built: {chart}"
        assert chart["missing"] == [], f"{chart_id}: components not built: {chart}"
        assert all(points > 0 for points in chart["points"]), chart


def test_the_dashboards_charts_build_everything_they_ask_for(chart_page, district):
    page, problems = chart_page(district.leader, "/dashboard/?from=2026-03-01&to=2026-03-31")
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    page.wait_for_selector('#coverage-chart[data-ready="1"] canvas')
    assert_built(page, {"trend-chart": ["line"] * 3, "coverage-chart": ["bar"] * 2})
    built = page.evaluate(BUILT, NOT_COMPONENTS)
    assert set(built["trend-chart"]["asked"]["components"]) >= {"tooltip", "legend", "grid"}
    assert problems == []


def test_the_case_map_builds_everything_it_asks_for_and_exports(chart_page, district):
    page, problems = chart_page(
        district.leader, "/dashboard/case-map?from=2026-03-01&to=2026-03-31"
    )
    page.wait_for_selector('#case-map[data-ready="1"] canvas')
    assert_built(page, {"case-map": ["map"]})
    built = page.evaluate(BUILT, NOT_COMPONENTS)
    assert set(built["case-map"]["asked"]["components"]) >= {"title", "tooltip", "visualMap"}
    png = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('case-map')).getDataURL({type: 'png'})"
    )
    assert png.startswith("data:image/png;base64,") and len(png) > 5000
    assert problems == []


def test_a_series_the_build_lacks_is_caught(chart_page, district):
    """The check above would see a missing chart type: the build has no pie, and a pie asked for
    is not built (and the page says nothing about it)."""
    page, problems = chart_page(district.leader, "/dashboard/?from=2026-03-01&to=2026-03-31")
    page.wait_for_selector('#coverage-chart[data-ready="1"] canvas')
    page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('coverage-chart'))
                  .setOption({series: [{type: 'bar', data: [1]}, {type: 'pie', data: [1]}],
                              radar: {indicator: []}})"""
    )
    built = page.evaluate(BUILT, NOT_COMPONENTS)["coverage-chart"]
    assert "pie" in built["asked"]["series"] and "pie" not in built["series"]
    assert "radar" in built["missing"]
