// Statistics charts (ECharts, canvas): the trend over months and the ranking by the chosen figure.
// The numbers come from the page's own JSON (the table's query), never from a second request.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const trendEl = document.getElementById("trend-chart");
  const trend = echarts.init(trendEl, null, {renderer: "canvas"});
  trend.setOption({
    animation: false, tooltip: {trigger: "axis"},
    legend: {data: [data.labels.received, data.labels.closed, data.labels.on_time]},
    xAxis: {type: "category", data: data.months},
    yAxis: [{type: "value"}, {type: "value", min: 0, max: 1, axisLabel: {formatter: function (v) { return Math.round(v * 100) + "%"; }}}],
    series: [
      {name: data.labels.received, type: "line", data: data.received},
      {name: data.labels.closed, type: "line", data: data.closed},
      {name: data.labels.on_time, type: "line", yAxisIndex: 1, data: data.on_time}
    ]
  });
  trendEl.dataset.ready = String(data.months.length);
  const rankEl = document.getElementById("ranking-chart");
  const rank = echarts.init(rankEl, null, {renderer: "canvas"});
  const rows = data.ranking.slice().reverse();  // the best at the top of a horizontal bar chart
  rank.setOption({
    animation: false, tooltip: {}, grid: {left: 140},
    xAxis: {type: "value"}, yAxis: {type: "category", data: rows.map(function (r) { return r[0]; })},
    series: [{name: data.labels.ranking, type: "bar", data: rows.map(function (r) { return r[1]; })}]
  });
  rankEl.dataset.ready = String(rows.length);
  window.addEventListener("resize", function () { trend.resize(); rank.resize(); });
})();
