/* The ECharts this app draws with, and nothing else: update.sh bundles this file (esbuild,
 * minified) into ../echarts.custom.min.js, which sets the global `echarts` with the whole core
 * API (init, getInstanceByDom, registerMap, use, ...) as the full build does.
 *
 * What the pages use (static/js/dashboard.js, static/js/case-map.js):
 *   series      line (per-day trend), bar (coverage by area), map (case map)
 *   components  grid + category/value axes, legend (plain), title, tooltip (axis and item,
 *               drawn as rich text; brings the axis pointer), visualMap (continuous)
 *   renderer    canvas (getDataURL for the case map's PNG export)
 * A page that sets another series type or component gets nothing drawn for it (a production
 * build warns of nothing): add it here, run update.sh, and tests/browser/test_charts.py checks
 * each chart page draws every series and component it asks for. */
import { use } from "echarts/core";
import { BarChart, LineChart, MapChart } from "echarts/charts";
import {
  GridComponent,
  LegendPlainComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapContinuousComponent
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

use([
  LineChart,
  BarChart,
  MapChart,
  GridComponent,
  LegendPlainComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  CanvasRenderer
]);

export * from "echarts/core";
