/* An evaluation target's result page (evaluations/rounds/target_result.html): a radar of its
   areas (top-level indicators) in per cent of each area's maximum, from the JSON in
   #round-data — the result, each rater group beside it and, when there is one, the same
   target's previous published round on the framework, dashed. The table of areas above the
   score sheet carries the same figures, so nothing depends on this script. */
(function () {
  "use strict";

  // Tooltips are drawn inside the chart: ECharts' HTML tooltips carry inline styles, which
  // the Content-Security-Policy blocks.
  var TOOLTIP_MODE = "richText";
  var COLORS = ["#1f6fb2", "#d9822b", "#2e7d4f", "#8e44ad", "#b3261e"];
  var PREVIOUS = "#6b7280";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // "-" is ECharts' empty value: an area the previous round's framework did not have.
  function values(list) {
    return list.map(function (v) { return v === null || v === undefined ? "-" : v; });
  }

  function series(d) {
    var rows = d.series.map(function (s, i) {
      var row = { name: s.name, value: values(s.values), symbolSize: 5, lineStyle: { width: i === 0 ? 2.5 : 1.5 } };
      if (i === 0) row.areaStyle = { opacity: 0.15 };
      return row;
    });
    if (d.previous) {
      rows.push({
        name: d.previous.name,
        value: values(d.previous.values),
        symbolSize: 4,
        itemStyle: { color: PREVIOUS },
        lineStyle: { color: PREVIOUS, type: "dashed", width: 2 },
      });
    }
    return rows;
  }

  function radar(el, d) {
    var rows = series(d);
    el.parentNode.classList.add("has-chart"); // shows the element: it has a width from here
    var narrow = el.clientWidth < 560;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    if (d.areas.length >= 3) {
      chart.setOption({
        color: COLORS,
        tooltip: { trigger: "item", renderMode: TOOLTIP_MODE },
        legend: { type: "scroll", top: 0, data: rows.map(function (r) { return r.name; }) },
        radar: {
          center: ["50%", "56%"],
          // On a phone the areas' names beside the polygon take half the width.
          radius: narrow ? "48%" : "66%",
          indicator: d.areas.map(function (name) { return { name: name, max: 100, min: 0 }; }),
          axisName: { color: "#333", width: narrow ? 76 : 140, overflow: "break" },
          splitNumber: 5,
        },
        series: [{ type: "radar", data: rows }],
      });
    } else {
      // Fewer than three areas make no polygon: the same figures as bars.
      chart.setOption({
        color: COLORS.concat([PREVIOUS]),
        tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, axisPointer: { type: "shadow" } },
        legend: { type: "scroll", top: 0 },
        grid: { left: 16, right: 24, top: 30, bottom: 20, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100, name: el.getAttribute("data-label-percent") },
        yAxis: { type: "category", data: d.areas.slice().reverse(), axisLabel: { width: 140, overflow: "truncate" } },
        series: rows.map(function (r) {
          return { type: "bar", name: r.name, data: r.value.slice().reverse() };
        }),
      });
    }
    el.setAttribute("data-drawn", d.areas.length >= 3 ? "radar" : "bars");
  }

  ready(function () {
    var source = document.getElementById("round-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll('[data-chart="areas"]').forEach(function (el) {
      if (data.areas && data.areas.length) radar(el, data);
    });
  });
})();
