/* Draws the dashboard's charts (ECharts) from the JSON in #dashboard-data. Every chart has a
   table beside it with the same figures, so nothing depends on this script. */
(function () {
  "use strict";

  // Tooltips are drawn inside the chart ("richText"): ECharts' HTML tooltips carry inline
  // style attributes, which the Content-Security-Policy blocks.
  var TOOLTIP_MODE = "richText";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  var COLORS = ["#1f6fb2", "#c9d6e3", "#d9822b", "#2e7d4f", "#b3261e"];

  function bar(el, categories, series, horizontal) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var cat = { type: "category", data: categories, axisLabel: { interval: 0, width: 140, overflow: "truncate" } };
    var val = { type: "value", minInterval: 1 };
    chart.setOption({
      color: COLORS,
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, axisPointer: { type: "shadow" } },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: horizontal ? 150 : 40, right: 16, top: series.length > 1 ? 30 : 12, bottom: 30, containLabel: !horizontal },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: series.map(function (s) {
        return { type: s.type || "bar", name: s.name, data: s.data, stack: s.stack, label: { show: !!s.label, position: horizontal ? "right" : "top" } };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function label(el, name) {
    return el.getAttribute("data-label-" + name) || name;
  }

  var charts = {
    coverage: function (el, d) {
      var groups = d.coverage.groups;
      bar(el, groups.map(function (g) { return g.name; }), [
        { name: label(el, "visited"), data: groups.map(function (g) { return g.visited; }), stack: "s" },
        { name: label(el, "unvisited"), data: groups.map(function (g) { return g.total - g.visited; }), stack: "s" },
      ], groups.length > 6);
    },
    months: function (el, d) {
      var totals = d.months.map(function (_m, i) {
        return d.rows.reduce(function (sum, r) { return sum + r.visits[i]; }, 0);
      });
      bar(el, d.months, [{ name: label(el, "visits"), data: totals, label: true }]);
    },
    six: function (el, d) {
      var steps = d.six_minimums.distribution.map(function (_n, i) { return i + "/6"; });
      bar(el, steps, [{ name: label(el, "schools"), data: d.six_minimums.distribution, label: true }]);
    },
    inspectors: function (el, d) {
      var rows = (d.inspectors && d.inspectors.rows || []).slice(0, 25).reverse();
      el.style.height = Math.max(220, rows.length * 24 + 40) + "px";
      bar(el, rows.map(function (r) { return r.name; }), [{ name: label(el, "visits"), data: rows.map(function (r) { return r.visits; }), label: true }], true);
    },
    age: function (el, d) {
      var b = d.findings.by_age;
      bar(el, b.map(function (x) { return x.label; }), [{ name: label(el, "findings"), data: b.map(function (x) { return x.count; }), label: true }]);
    },
    area: function (el, d) {
      var a = d.findings.by_area.slice().reverse();
      var chart = bar(el, a.map(function (x) { return x.area + ". " + x.label; }), [{ name: label(el, "findings"), data: a.map(function (x) { return x.count; }), label: true }], true);
      chart.on("click", function (p) {
        var item = a[p.dataIndex];
        if (item && item.url) window.location.href = item.url;
      });
    },
  };

  ready(function () {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var draw = charts[el.getAttribute("data-chart")];
      if (!draw) return;
      // Show the chart's box before drawing: ECharts sizes the chart from it (a hidden box
      // measures 100 px wide).
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
