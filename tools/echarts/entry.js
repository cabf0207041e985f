/* Dudao's ECharts: only what dudao/static/js/dashboards.js and monitoring.js draw.
   Add a chart type or component here (and to the README's list) before a page uses it. */
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent, // plain and "scroll" legends
  MarkLineComponent,
  TooltipComponent, // brings the axis pointer ("shadow")
} from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

// The same API as the full build's window.echarts (init, getInstanceByDom, use, ...).
export * from "echarts/core";
