/* Draws the monitoring charts (ECharts) from the JSON in #monitoring-data. Every chart has a
   table with the same figures on the page, so nothing depends on this script. */
(function () {
  "use strict";

  // Tooltips are drawn inside the chart ("richText"): ECharts' HTML tooltips carry inline
  // style attributes, which the Content-Security-Policy blocks.
  var TOOLTIP_MODE = "richText";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function attr(el, name, fallback) {
    return el.getAttribute("data-label-" + name) || fallback;
  }

  function schoolsChart(el, level, index) {
    var ind = level.indicators[index];
    if (!ind) return;
    var rows = ind.values.slice().sort(function (a, b) { return a.value - b.value; });
    var lines = [{ name: attr(el, "mean", "mean"), yAxis: ind.mean }];
    if (ind.standard !== null && ind.standard !== undefined) {
      lines.push({ name: attr(el, "standard", "standard"), yAxis: ind.standard, lineStyle: { color: "#b3261e" } });
    }
    var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE },
      grid: { left: 50, right: 20, top: 30, bottom: 40 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { show: rows.length <= 20, rotate: 40 } },
      yAxis: { type: "value", name: ind.label, nameTextStyle: { align: "left" } },
      series: [{
        type: "bar", name: attr(el, "value", "value"),
        data: rows.map(function (r) {
          var low = ind.standard !== null && ind.standard !== undefined && r.value < ind.standard;
          return { value: r.value, itemStyle: { color: low ? "#d9822b" : "#1f6fb2" } };
        }),
        markLine: { symbol: "none", label: { position: "insideEndTop", formatter: "{b}: {c}" }, data: lines },
      }],
    }, true);
    return chart;
  }

  function trendChart(el, data) {
    var t = data.trend;
    if (!t) return;
    var series = [];
    data.levels.forEach(function (lv) {
      var tl = t.levels[lv.level];
      if (!tl) return;
      if (data.regime === "basic") {
        series.push({ type: "line", name: lv.label, data: tl.composite_cv.map(function (p) { return p.value; }) });
      } else {
        lv.indicators.forEach(function (ind) {
          var s = tl.indicators[ind.key] || [];
          series.push({ type: "line", name: lv.label + " " + ind.label, data: s.map(function (p) { return p.cv; }) });
        });
      }
    });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, valueFormatter: function (v) { return v === null ? "—" : v.toFixed(3); } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: t.years },
      yAxis: { type: "value" },
      series: series,
    });
    return chart;
  }

  ready(function () {
    var node = document.getElementById("monitoring-data");
    if (!node || !window.echarts) return;
    var data = JSON.parse(node.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart=schools]").forEach(function (el) {
      var level = data.levels[Number(el.getAttribute("data-level"))];
      if (!level) return;
      charts.push(schoolsChart(el, level, 0));
      var pick = document.querySelector("[data-indicator-pick=" + level.level + "]");
      if (pick) pick.addEventListener("change", function () { schoolsChart(el, level, Number(pick.value)); });
    });
    document.querySelectorAll("[data-chart=trend]").forEach(function (el) { charts.push(trendChart(el, data)); });
    window.addEventListener("resize", function () { charts.forEach(function (c) { if (c) c.resize(); }); });
  });
})();
