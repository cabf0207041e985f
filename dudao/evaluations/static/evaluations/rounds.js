/* Draws an evaluation round's ranking (ECharts) from the JSON in #round-data: the totals as
   bars. The table on the page carries the same figures, so nothing depends on this script.
   A target's radar of its areas is dudao/static/js/evaluations.js. */
(function () {
  "use strict";

  // Tooltips are drawn inside the chart: ECharts' HTML tooltips carry inline styles, which
  // the Content-Security-Policy blocks.
  var TOOLTIP_MODE = "richText";
  var COLORS = ["#1f6fb2", "#d9822b", "#2e7d4f", "#8e44ad", "#b3261e", "#c9d6e3"];

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function start(el) {
    el.parentNode.classList.add("has-chart");
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function totals(el, d) {
    var chart = start(el);
    chart.setOption({
      color: COLORS,
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, axisPointer: { type: "shadow" } },
      grid: { left: 40, right: 16, top: 16, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 6 ? 30 : 0, width: 120, overflow: "truncate" } },
      yAxis: { type: "value", min: 0 },
      series: [{ type: "bar", name: el.getAttribute("data-label-total"), data: d.totals, label: { show: true, position: "top" } }],
    });
  }

  ready(function () {
    var source = document.getElementById("round-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (kind === "totals" && data.names) totals(el, data);
    });
  });
})();
