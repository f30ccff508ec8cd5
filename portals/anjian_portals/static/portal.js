/* Progressive enhancement only: previews of the photos chosen for a report (the form works without it). */
(function () {
  document.querySelectorAll("[data-preview-for]").forEach(function (box) {
    var input = document.getElementById(box.getAttribute("data-preview-for"));
    if (!input) { return; }
    input.addEventListener("change", function () {
      box.textContent = "";
      Array.prototype.forEach.call(input.files || [], function (file) {
        if (file.type.indexOf("image/") !== 0) { var p = document.createElement("span"); p.textContent = file.name; box.appendChild(p); return; }
        var img = document.createElement("img");
        img.alt = "预览：" + file.name;
        img.src = URL.createObjectURL(file);
        box.appendChild(img);
      });
    });
  });
})();
