/* Draws an evaluation round's charts (ECharts) from the JSON in #round-data: the totals of
   the ranking as bars, and a target's areas as a radar (each group beside the result). The
   tables on the page carry the same figures, so nothing depends on this script. */
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

  // Is ECharts' radar chart in the build (tools/echarts/entry.js)? Asked without throwing.
  function hasRadar() {
    var model = window.echarts.ComponentModel;
    try {
      return !!(model && model.getClass && model.getClass("series", "radar"));
    } catch (e) {
      return false;
    }
  }

  // A radar of the areas, each group beside the result; a build without the radar chart
  // draws the same figures as bars.
  function areas(el, d) {
    var chart = start(el);
    if (hasRadar() && d.areas.length >= 3) {
      chart.setOption({
        color: COLORS,
        tooltip: { renderMode: TOOLTIP_MODE },
        legend: { top: 0 },
        radar: { indicator: d.areas.map(function (name) { return { name: name, max: 100 }; }), radius: "62%" },
        series: [{ type: "radar", data: d.series.map(function (s) { return { name: s.name, value: s.values }; }) }],
      });
    } else {
      chart.setOption({
        color: COLORS,
        tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 16, right: 24, top: 30, bottom: 20, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100, name: el.getAttribute("data-label-percent") },
        yAxis: { type: "category", data: d.areas.slice().reverse(), axisLabel: { width: 140, overflow: "truncate" } },
        series: d.series.map(function (s) { return { type: "bar", name: s.name, data: s.values.slice().reverse() }; }),
      });
    }
  }

  ready(function () {
    var source = document.getElementById("round-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (kind === "totals" && data.names) totals(el, data);
      if (kind === "areas" && data.areas) areas(el, data);
    });
  });
})();
