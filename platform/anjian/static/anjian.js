/* Behaviour of the generated screens: child rows, link pickers, region cascades, confirmations,
   field patterns checked as the server checks them.
   Everything degrades to plain inputs without JavaScript. */
(function ($) {
  "use strict";

  function initLinks(root) {
    $(root).find("select.anjian-link").each(function () {
      var $select = $(this);
      if ($select.data("select2")) { return; }
      $select.select2({
        theme: "bootstrap", width: "100%", allowClear: true,
        placeholder: $select.data("placeholder") || "",
        ajax: {
          url: $select.data("url"), dataType: "json", delay: 200,
          data: function (params) { return {q: params.term || ""}; },
          processResults: function (data) { return {results: data.results}; }
        }
      });
    });
  }

  function initRegions(root) {
    $(root).find(".anjian-region").each(function () {
      var $box = $(this), url = $box.data("url"), $input = $box.find("input[type=hidden]").first();
      var $levels = $box.find(".anjian-region-levels");
      if ($box.data("ready")) { return; }
      $box.data("ready", true);

      function addLevel(parent, selected, done) {
        $.getJSON(url, {parent: parent}, function (data) {
          if (!data.items.length) { if (done) { done(); } return; }
          var $select = $("<select class='form-control input-sm anjian-region-level'></select>");
          $select.append($("<option value=''>—</option>"));
          $.each(data.items, function (_, item) {
            $select.append($("<option>").val(item.code).text(item.label));
          });
          $levels.append($select);
          if (selected) { $select.val(selected); }
          $select.on("change", function () {
            $select.nextAll("select").remove();
            var value = $select.val();
            $input.val(value || ($select.prevAll("select").first().val() || ""));
            if (value) { addLevel(value, null); }
          });
          if (done) { done(); }
        });
      }

      var value = String($box.data("value") || "");
      if (!value) { addLevel("", null); return; }
      $.getJSON(url, {path: value}, function (data) {
        var path = data.path || [];
        var step = function (i, parent) {
          if (i > path.length) { return; }
          addLevel(parent, path[i] || null, function () { if (i < path.length) { step(i + 1, path[i]); } });
        };
        step(0, "");
      });
    });
  }

  function nextIndex($rows) {
    var max = -1;
    $rows.children(".anjian-row").each(function () {
      var name = $(this).find("input[name$='-__row']").first().attr("name") || "";
      var parts = name.split("-");
      var n = parseInt(parts[parts.length - 2], 10);
      if (!isNaN(n) && n > max) { max = n; }
    });
    return max + 1;
  }

  $(document).on("click", ".anjian-add-row", function () {
    var $children = $(this).closest(".anjian-children");
    var $rows = $children.children(".anjian-rows");
    var token = $children.data("token");
    var html = $children.children("template.anjian-row-template").html();
    var $row = $(html.split(token).join(String(nextIndex($rows))));
    $rows.append($row);
    initLinks($row); initRegions($row);
    $row.find("input,select,textarea").filter(":visible").first().trigger("focus");
  });

  $(document).on("click", ".anjian-remove-row", function () {
    $(this).closest(".anjian-row").remove();
  });

  $(document).on("change", ".anjian-select-all", function () {
    $(this).closest("table").find("input[name=ids]").prop("checked", this.checked);
  });

  // A field's pattern is checked as the server checks it: ECMA-262 with the "u" flag, found
  // anywhere in the value (JSON Schema does not anchor it; the HTML pattern attribute would).
  var PATTERN_MESSAGE = /^en/i.test(document.documentElement.lang || "") ?
    "does not have the required form" : "格式不符合要求";

  function checkPattern(input) {
    var pattern = input.getAttribute("data-pattern"), value = input.value, message = "";
    if (pattern && value !== "") {
      try {
        if (!new RegExp(pattern, "u").test(value)) { message = PATTERN_MESSAGE; }
      } catch (ignored) { message = ""; }  // the server has the last word
    }
    input.setCustomValidity(message);
    var $group = $(input).closest(".form-group");
    $group.find(".anjian-client-error").remove();
    if (message) {
      $group.addClass("has-error");
      $("<span class='help-block anjian-client-error'></span>").text(message).insertAfter(input);
    } else if (!$group.find(".help-block").length) {
      $group.removeClass("has-error");
    }
    return !message;
  }

  $(document).on("input change", "[data-pattern]", function () { checkPattern(this); });

  $(document).on("submit", "form", function (event) {
    var ok = true;
    $(this).find("[data-pattern]").each(function () { ok = checkPattern(this) && ok; });
    if (!ok) {
      event.preventDefault();
      $(this).find(".anjian-client-error").first().prev().trigger("focus");
    }
  });

  $(document).on("click", ".anjian-confirm", function (event) {
    if (!window.confirm($(this).data("confirm"))) { event.preventDefault(); }
  });

  $(function () {
    initLinks(document.body);
    initRegions(document.body);
    var $error = $(".has-error").first();
    if ($error.length) { $("html, body").scrollTop($error.offset().top - 80); }
  });
})(jQuery);

/* Previews of photos chosen or taken for an attachment field (the upload works without them). */
(function () {
  document.querySelectorAll(".anjian-files").forEach(function (box) {
    var previews = box.querySelector(".anjian-previews");
    if (!previews) { return; }
    box.querySelectorAll('input[type="file"]').forEach(function (input) {
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files || [], function (file) {
          if (file.type.indexOf("image/") !== 0) { return; }
          var img = document.createElement("img");
          img.alt = file.name;
          img.src = URL.createObjectURL(file);
          previews.appendChild(img);
        });
      });
    });
  });
})();
