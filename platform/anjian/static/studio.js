/* The studio's entity designer: drag fields to reorder (SortableJS, vendored), switch the
   preview between desktop and phone width. Everything else is plain forms. */
(function () {
  "use strict";
  var list = document.getElementById("designer-fields");
  if (list && window.Sortable) {
    window.Sortable.create(list, {
      handle: ".anjian-drag",
      onEnd: function () {
        var names = Array.prototype.map.call(list.querySelectorAll("tr[data-field]"), function (row) { return row.getAttribute("data-field"); });
        document.getElementById("order-input").value = names.join(",");
        document.getElementById("order-form").submit();
      }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".anjian-preview-width"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.getElementById("preview-frame");
      if (frame) { frame.style.width = link.getAttribute("data-width"); }
    });
  });
}());
