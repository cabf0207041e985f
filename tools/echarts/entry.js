/* Dudao's ECharts: only what dudao/static/js/dashboards.js, monitoring.js and evaluations.js
   (and dudao/evaluations/static/evaluations/rounds.js) draw.
   Add a chart type or component here (and to the README's list) before a page uses it. */
import * as echarts from "echarts/core";
import { BarChart, LineChart, RadarChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent, // plain and "scroll" legends
  MarkLineComponent,
  RadarComponent, // the radar's coordinate system (an evaluation target's areas)
  TooltipComponent, // brings the axis pointer ("shadow")
} from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  RadarChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  RadarComponent,
  TooltipComponent,
  SVGRenderer,
]);

// The same API as the full build's window.echarts (init, getInstanceByDom, use, ...).
export * from "echarts/core";
