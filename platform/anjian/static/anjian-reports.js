/* Report pages: draw the plotly chart from its JSON, drill down on a click, print the print view. */
(function () {
  "use strict";
  var holder = document.getElementById("anjian-chart");
  var data = document.getElementById("anjian-chart-data");
  if (holder && data && window.Plotly) {
    var figure = JSON.parse(data.textContent);
    window.Plotly.newPlot(holder, figure.data, figure.layout, {responsive: true, displaylogo: false, locale: "zh-CN"});
    holder.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (point && point.customdata) {
        window.location.href = point.customdata;
      }
    });
  }
  var print = document.getElementById("anjian-print-now");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
})();
