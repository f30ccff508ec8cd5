/* Trend charts of the monitoring plugin: data from the screen's JSON endpoint, drawn with the
   plotly.js the plugin serves itself (no CDN); thresholds as dashed lines. */
(function () {
  "use strict";
  var TITLES = {low_low: "低低报", low: "低报", high: "高报", high_high: "高高报"};
  var COLOURS = {low_low: "#c9302c", low: "#ec971f", high: "#ec971f", high_high: "#c9302c"};
  var RESOLUTIONS = {raw: "原始数据", "1m": "1 分钟汇总", "1h": "1 小时汇总"};

  function draw(element) {
    fetch(element.getAttribute("data-source"), {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var offset = new Date().getTimezoneOffset() * 60000;  // plotly shows epoch ms as UTC: shift to local time
        data.ts = data.ts.map(function (ms) { return ms - offset; });
        var traces = [{x: data.ts, y: data.value, type: "scatter", mode: "lines", name: data.point.name, line: {color: "#337ab7"}}];
        if (data.resolution !== "raw") {
          traces.push({x: data.ts, y: data.high, type: "scatter", mode: "lines", name: "最大值", line: {width: 0.5, color: "#9ecae1"}});
          traces.push({x: data.ts, y: data.low, type: "scatter", mode: "lines", name: "最小值", line: {width: 0.5, color: "#9ecae1"}});
        }
        var shapes = [], annotations = [];
        Object.keys(data.thresholds).forEach(function (kind) {
          var y = data.thresholds[kind];
          shapes.push({type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y, line: {color: COLOURS[kind], dash: "dash", width: 1}});
          annotations.push({xref: "paper", x: 1, y: y, text: TITLES[kind] + " " + y, showarrow: false, xanchor: "right", yanchor: "bottom",
                            font: {size: 11, color: COLOURS[kind]}});
        });
        var layout = {margin: {l: 50, r: 10, t: 10, b: 40}, height: 380, shapes: shapes, annotations: annotations,
                      xaxis: {type: "date"}, yaxis: {title: {text: data.point.unit}}, showlegend: false};
        window.Plotly.newPlot(element, traces, layout, {responsive: true, displaylogo: false});
        var note = document.getElementById("monitoring-trend-note");
        if (note) { note.textContent = RESOLUTIONS[data.resolution] + "，共 " + data.ts.length + " 个数据点"; }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".monitoring-trend"), draw);
  });
})();
