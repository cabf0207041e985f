/* Draws a survey's results by school (an ECharts bar chart, the required rate as a line) from
   the JSON in #survey-data. The table below carries the same figures, so nothing depends on
   this script. */
(function () {
  "use strict";

  // Tooltips are drawn inside the chart: ECharts' HTML tooltips carry inline styles, which
  // the Content-Security-Policy blocks.
  var TOOLTIP_MODE = "richText";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function schools(el, data) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: data.names, axisLabel: { width: 140, overflow: "truncate" } },
      series: [{
        type: "bar",
        barMaxWidth: 22,
        data: data.rates.map(function (rate) {
          return { value: rate, itemStyle: { color: rate >= data.pass ? "#2e7d4f" : "#b3261e" } };
        }),
        markLine: { symbol: "none", data: [{ xAxis: data.pass }], label: { formatter: data.pass + "%" } },
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  ready(function () {
    if (!window.echarts) return;
    var data = read("survey-data");
    if (!data || !data.names.length) return;
    document.querySelectorAll("[data-chart=schools]").forEach(function (el) {
      el.style.height = Math.max(160, 26 * data.names.length + 40) + "px";
      el.parentNode.classList.add("has-chart");
      schools(el, data);
    });
  });
})();
