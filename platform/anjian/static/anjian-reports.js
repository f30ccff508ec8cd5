/* Report pages and dashboards: draw each plotly chart from its JSON, drill down on a click,
   print the print view. */
(function () {
  "use strict";
  function draw(holder, figure) {
    window.Plotly.newPlot(holder, figure.data, figure.layout, {responsive: true, displaylogo: false});
    holder.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      if (point && point.customdata) {
        window.location.href = point.customdata;
      }
    });
  }
  if (window.Plotly) {
    var single = document.getElementById("anjian-chart-data");
    if (single && document.getElementById("anjian-chart")) {
      draw(document.getElementById("anjian-chart"), JSON.parse(single.textContent));
    }
    var blocks = document.querySelectorAll("script.anjian-chart-data");
    for (var i = 0; i < blocks.length; i++) {
      var target = document.getElementById(blocks[i].getAttribute("data-target"));
      if (target) {
        draw(target, JSON.parse(blocks[i].textContent));
      }
    }
  }
  var print = document.getElementById("anjian-print-now");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
})();
