/* Draws the roll-up's charts (ECharts: bar and line) from the JSON in #rollup-data. The
   table below them holds the same figures, so nothing depends on this script. */
(function () {
  "use strict";

  var COLORS = ["#1f6fb2", "#d9822b", "#2e7d4f", "#b3261e"];

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function label(el, name) {
    return el.getAttribute("data-label-" + name) || name;
  }

  function draw(el, categories, series, horizontal, percent) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var cat = { type: "category", data: categories, axisLabel: { interval: 0, width: 140, overflow: "truncate" } };
    var val = percent ? { type: "value", min: 0, max: 100 } : { type: "value", minInterval: 1 };
    chart.setOption({
      color: COLORS,
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: series.length > 1 ? { top: 0, type: "scroll" } : undefined,
      grid: { left: horizontal ? 150 : 40, right: 16, top: series.length > 1 ? 30 : 12, bottom: 30, containLabel: !horizontal },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: series.map(function (s) {
        return { type: s.type || "bar", name: s.name, data: s.data, smooth: false };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function sized(el, n) {
    el.style.height = Math.max(240, n * 22 + 60) + "px";
  }

  var charts = {
    coverage: function (el, d) {
      var rows = d.rows.slice().reverse();
      sized(el, rows.length);
      draw(el, rows.map(function (r) { return r.name; }), [
        { name: label(el, "coverage"), data: rows.map(function (r) { return r.coverage === null ? 0 : Math.round(r.coverage * 1000) / 10; }) },
      ], true, true);
    },
    rectification: function (el, d) {
      var rows = d.rows.slice().reverse();
      sized(el, rows.length);
      draw(el, rows.map(function (r) { return r.name; }), [
        { name: label(el, "open"), data: rows.map(function (r) { return r.open; }) },
        { name: label(el, "overdue"), data: rows.map(function (r) { return r.overdue; }) },
      ], true, false);
    },
    trend: function (el, d) {
      draw(el, d.trend.months, [
        { name: label(el, "visits"), data: d.trend.visits, type: "line" },
        { name: label(el, "found"), data: d.trend.found, type: "line" },
      ], false, false);
    },
  };

  ready(function () {
    var source = document.getElementById("rollup-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var draw = charts[el.getAttribute("data-chart")];
      if (!draw) return;
      // Show the chart's box before drawing (.chart is hidden until its section has a chart):
      // ECharts sizes the chart from it, and a hidden box has no size.
      var section = el.closest("section");
      section.classList.add("has-chart");
      try {
        draw(el, data);
        el.removeAttribute("aria-hidden");
        el.setAttribute("role", "img");
      } catch (err) {
        section.classList.remove("has-chart");
        if (window.console) console.error(err);
      }
    });
  });
})();
