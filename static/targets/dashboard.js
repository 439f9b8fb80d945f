/* The leaders' dashboard charts (templates/targets/home.html), drawn with the vendored ECharts from
   the data the page renders with json_script (#dashboard-data). No inline script, no style
   attribute in markup: ECharts sets sizes through the CSSOM, and tooltips are drawn on the canvas
   (renderMode "richText"), so the Content-Security-Policy has nothing to refuse. */
(function () {
  "use strict";

  var PACE_COLOURS = { ahead: "#1e7b3c", lagging: "#d69e2e", behind: "#c53030", "": "#9aa5b1" };
  var PACE_NAMES = { ahead: "超序时", lagging: "略低于序时", behind: "滞后", "": "无目标" };
  var BLUE = "#0b3d91";
  var GOLD = "#d69e2e";
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var charts = [];

  function base() {
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { renderMode: "richText", confine: true },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    };
  }

  function merge(target, extra) {
    Object.keys(extra).forEach(function (key) { target[key] = extra[key]; });
    return target;
  }

  function shortName(name) {
    return name.length > 10 ? name.slice(0, 10) + "…" : name;
  }

  // Horizontal bars: the indicators' names read whole on a phone as on a desk.
  function progressChart(data, element) {
    var entries = data.indicators.slice().reverse();
    element.style.height = Math.max(260, 70 + entries.length * 30) + "px";
    return merge(base(), {
      tooltip: {
        renderMode: "richText", confine: true, trigger: "item",
        formatter: function (point) {
          var entry = entries[point.dataIndex];
          return entry.name + "\n完成率 " + percent(entry.completion) + "，时间进度 " + percent(data.time_progress);
        },
      },
      legend: { top: 0, data: ["完成率", "时间进度"] },
      grid: { left: 8, right: 56, top: 44, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: entries.map(function (entry) { return entry.name; }), axisLabel: { interval: 0, formatter: shortName } },
      series: [
        {
          name: "完成率", type: "bar", barMaxWidth: 18,
          data: entries.map(function (entry) { return entry.completion === null ? 0 : entry.completion; }),
          itemStyle: { color: BLUE },
          label: { show: true, position: "right", formatter: function (point) { return percent(entries[point.dataIndex].completion); } },
          markLine: progressLine(data.time_progress),
        },
        // An empty series that only gives the time-progress line its entry in the legend.
        { name: "时间进度", type: "line", data: [], lineStyle: { color: GOLD, type: "dashed" }, itemStyle: { color: GOLD } },
      ],
    });
  }

  function progressLine(progress) {
    return {
      symbol: "none", silent: true,
      data: [{ xAxis: progress }],
      label: { formatter: "时间进度 " + progress.toFixed(1) + "%", position: "end" },
      lineStyle: { color: GOLD, type: "dashed", width: 2 },
    };
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(1) + "%";
  }

  function lineChart(entry) {
    return merge(base(), {
      tooltip: {
        renderMode: "richText", confine: true, trigger: "axis",
        valueFormatter: function (value) { return value === null || value === undefined ? "—" : value + " " + entry.unit; },
      },
      legend: { top: 0, data: ["累计", "序时目标"] },
      xAxis: { type: "category", data: entry.months, boundaryGap: false },
      yAxis: { type: "value", name: entry.unit, nameGap: 8 },
      series: [
        { name: "累计", type: "line", data: entry.ytd, symbolSize: 6, lineStyle: { color: BLUE, width: 2 }, itemStyle: { color: BLUE } },
        { name: "序时目标", type: "line", data: entry.pace_line, symbol: "none", lineStyle: { color: GOLD, type: "dashed" }, itemStyle: { color: GOLD } },
      ],
    });
  }

  function rankingChart(entry, element, progress) {
    // Best at the top: ECharts draws a category axis from the bottom, so the list is reversed.
    var rows = entry.ranking.slice().reverse();
    element.style.height = Math.max(220, 80 + rows.length * 22) + "px";
    return merge(base(), {
      tooltip: {
        renderMode: "richText", confine: true, trigger: "item",
        formatter: function (point) {
          var row = rows[point.dataIndex];
          return row.unit + "：" + percent(row.completion) + "（" + PACE_NAMES[row.pace || ""] + "）";
        },
      },
      grid: { left: 8, right: 56, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map(function (row) { return row.unit; }), axisLabel: { interval: 0, formatter: shortName } },
      series: [
        {
          type: "bar", barMaxWidth: 16,
          data: rows.map(function (row) {
            return { value: row.completion === null ? 0 : row.completion, itemStyle: { color: PACE_COLOURS[row.pace || ""] } };
          }),
          label: { show: true, position: "right", formatter: function (point) { return percent(rows[point.dataIndex].completion); } },
          markLine: progressLine(progress),
        },
      ],
    });
  }

  function breakdownChart(entries, horizontal) {
    var names = entries.map(function (entry) { return entry.name; });
    var categoryAxis = { type: "category", data: names, axisLabel: { interval: 0, formatter: shortName } };
    // The unit (亿元) is in the caption; an axis name at the end of a horizontal axis gets cut off.
    var valueAxis = horizontal ? { type: "value" } : { type: "value", name: "亿元", nameGap: 8 };
    if (horizontal) {
      names.reverse();
      entries = entries.slice().reverse();
    }
    return merge(base(), {
      tooltip: { renderMode: "richText", confine: true, trigger: "axis", valueFormatter: function (value) { return value + " 亿元"; } },
      legend: { top: 0, data: ["协议引资额", "到位资金"] },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: [
        { name: "协议引资额", type: "bar", barMaxWidth: 18, data: entries.map(function (entry) { return entry.signed; }), itemStyle: { color: BLUE } },
        { name: "到位资金", type: "bar", barMaxWidth: 18, data: entries.map(function (entry) { return entry.delivered; }), itemStyle: { color: GOLD } },
      ],
    });
  }

  function optionFor(element, data, byCode) {
    var kind = element.dataset.chart;
    var entry = byCode[element.dataset.indicator];
    if (kind === "progress") return progressChart(data, element);
    if (kind === "line" && entry) return lineChart(entry);
    if (kind === "ranking" && entry) return rankingChart(entry, element, data.time_progress);
    return null;
  }

  function capitalOption(element, data) {
    var kind = element.dataset.chart;
    if (kind === "origin") return breakdownChart(data.origin, false);
    if (kind === "industry") {
      element.style.height = Math.max(260, 80 + data.industry.length * 34) + "px";
      return breakdownChart(data.industry, true);
    }
    return null;
  }

  function readJson(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function drawIn(root, optionOf) {
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      var option = optionOf(element);
      if (!option) return;
      var chart = echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(option);
      charts.push(chart);
    });
  }

  // The report's charts, from #dashboard-data rendered with the page.
  function draw() {
    var data = readJson("dashboard-data");
    if (!data || typeof echarts === "undefined") return;
    var byCode = {};
    data.indicators.forEach(function (entry) { byCode[entry.code] = entry; });
    drawIn(document, function (element) { return optionFor(element, data, byCode); });
  }

  // The capital section arrives later over htmx (#capital), its data in #capital-data.
  function drawCapital(event) {
    var section = event.detail && event.detail.target;
    if (!section || section.id !== "capital" || typeof echarts === "undefined") return;
    section.removeAttribute("aria-busy");
    var data = readJson("capital-data");
    if (data) drawIn(section, function (element) { return capitalOption(element, data); });
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  // Printing: open the data tables so they print, and fit the charts to the paper's width.
  function beforePrint() {
    document.querySelectorAll("details.chart-data").forEach(function (details) {
      if (!details.open) { details.open = true; details.dataset.printOpened = "1"; }
    });
    resizeAll();
  }

  function afterPrint() {
    document.querySelectorAll("details.chart-data[data-print-opened]").forEach(function (details) {
      details.open = false;
      delete details.dataset.printOpened;
    });
    resizeAll();
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(resizeAll, 100);
  });
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", drawCapital);
})();
