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
/* Checks as the configurator types in a file's JSON: the same checks as `anjian check`, nothing saved. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("textarea.anjian-live-check"), function (area) {
    var timer = null;
    var out = area.parentNode.querySelector(".anjian-live-problems");
    var token = area.form.querySelector("input[name=csrf_token]").value;
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(area.getAttribute("data-check-url"), {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": token},
          body: JSON.stringify({file: area.getAttribute("data-file"), text: area.value})
        }).then(function (r) { return r.json(); }).then(function (data) {
          out.textContent = "";
          (data.problems || []).forEach(function (p) {
            var line = document.createElement("div");
            line.textContent = (p.pointer ? p.pointer + "：" : "") + p.message + (p.hint ? "。" + p.hint : "");
            out.appendChild(line);
          });
          if (!(data.problems || []).length) { out.textContent = "检查通过"; out.className = "anjian-live-problems text-success"; }
          else { out.className = "anjian-live-problems text-danger"; }
        });
      }, 400);
    });
  });
}());
/* The process designer: a transition's condition checked as typed (the sandboxed expression
   language, over the entity's fields), nothing saved. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("input.anjian-condition"), function (input) {
    var timer = null;
    var out = input.parentNode.parentNode.querySelector(".anjian-condition-result");
    var token = input.form.querySelector("input[name=csrf_token]").value;
    function check() {
      fetch(input.getAttribute("data-check-url"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({entity: input.getAttribute("data-entity"), condition: input.value})
      }).then(function (r) { return r.json(); }).then(function (data) {
        out.textContent = data.message || "";
        out.className = "anjian-condition-result " + (data.ok ? "text-success" : "text-danger");
        input.setAttribute("aria-invalid", data.ok ? "false" : "true");
      });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
  });
}());
/* The process diagram: drag a state to where it reads best; the position is kept in the draft's
   layout (not in the process declaration) and the diagram is drawn again from the server. */
(function () {
  "use strict";
  function version() { var v = document.querySelector("input[name=version]"); return v ? parseInt(v.value, 10) : 0; }
  function save(box, body) {
    var token = document.querySelector("input[name=csrf_token]").value;
    body.version = version();
    fetch(box.getAttribute("data-positions-url"), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.ok) { window.location.reload(); } else { window.alert(data.message); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".anjian-diagram[data-positions-url]"), function (box) {
    var svg = box.querySelector("svg");
    if (!svg) { return; }
    Array.prototype.forEach.call(svg.querySelectorAll("g.anjian-state"), function (group) {
      var rect = group.querySelector("rect");
      var start = null;
      group.style.cursor = "move";
      function point(event) {
        var p = svg.createSVGPoint(); p.x = event.clientX; p.y = event.clientY;
        return p.matrixTransform(svg.getScreenCTM().inverse());
      }
      group.addEventListener("pointerdown", function (event) {
        start = point(event); group.setPointerCapture(event.pointerId); event.preventDefault();
      });
      group.addEventListener("pointermove", function (event) {
        if (!start) { return; }
        var p = point(event);
        group.setAttribute("transform", "translate(" + (p.x - start.x) + "," + (p.y - start.y) + ")");
      });
      group.addEventListener("pointerup", function (event) {
        if (!start) { return; }
        var p = point(event);
        var dx = Math.round(p.x - start.x), dy = Math.round(p.y - start.y);
        start = null;
        if (Math.abs(dx) + Math.abs(dy) < 3) { group.removeAttribute("transform"); return; }
        var at = {};
        at[group.getAttribute("data-state")] = [parseInt(rect.getAttribute("x"), 10) + dx, parseInt(rect.getAttribute("y"), 10) + dy];
        save(box, {process: box.getAttribute("data-process"), positions: at});
      });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".anjian-auto-layout"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var box = document.querySelector(".anjian-diagram[data-process='" + link.getAttribute("data-process") + "']");
      save(box, {process: link.getAttribute("data-process"), positions: null});
    });
  });
}());
