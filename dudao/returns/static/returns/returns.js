/* Draws the returns' figures over time (ECharts line charts) from the JSON in #returns-data.
   The table below carries the same figures, so nothing depends on this script. */
(function () {
  "use strict";

  // Tooltips are drawn inside the chart: ECharts' HTML tooltips carry inline styles, which
  // the Content-Security-Policy blocks.
  var TOOLTIP_MODE = "richText";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function line(el, periods, series, percent) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 30, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: periods },
      yAxis: percent ? { type: "value", min: 0, max: 100 } : { type: "value" },
      series: series.map(function (s) {
        return { type: "line", name: s.name, data: s.data, connectNulls: true };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  ready(function () {
    var source = document.getElementById("returns-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      el.parentNode.classList.add("has-chart");
      if (el.getAttribute("data-chart") === "shares") {
        line(el, data.periods, data.shares, true);
      } else {
        var n = data.numbers[Number(el.getAttribute("data-index"))];
        if (!n) return;
        line(el, data.periods, [
          { name: el.getAttribute("data-label-mean"), data: n.mean },
          { name: el.getAttribute("data-label-low"), data: n.low },
          { name: el.getAttribute("data-label-high"), data: n.high },
        ], false);
      }
    });
  });
})();
