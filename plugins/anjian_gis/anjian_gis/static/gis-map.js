/* 一张图: the layers the user may read, from the platform's own OGC API - Features (scoped on the
   server), clustered points, category and name filters, region boundaries, a click opens the record.
   Works with no base tiles (a coordinate grid), or with the deployment's tile service. */
(function () {
  "use strict";
  var el = document.getElementById("gis-map");
  if (!el || !window.L) { return; }
  var layers = JSON.parse(el.getAttribute("data-layers") || "[]");
  var limit = parseInt(el.getAttribute("data-limit"), 10) || 10000;
  var area = (el.getAttribute("data-area") || "73.5,3.8,135.1,53.6").split(",").map(Number);
  var map = L.map(el, {preferCanvas: true});
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, {attribution: el.getAttribute("data-attribution") || "", maxZoom: 18}).addTo(map);
  } else {
    var Grid = L.GridLayer.extend({
      createTile: function (coords) {
        var tile = document.createElement("canvas"), size = this.getTileSize();
        tile.width = size.x; tile.height = size.y;
        var ctx = tile.getContext("2d");
        ctx.strokeStyle = "#dde3ea"; ctx.strokeRect(0, 0, size.x, size.y);
        return tile;
      }
    });
    new Grid({attribution: "无底图（离线）"}).addTo(map);
  }
  map.fitBounds([[area[1], area[0]], [area[3], area[2]]]);

  document.querySelectorAll(".gis-swatch").forEach(function (s) { s.style.background = s.getAttribute("data-colour"); });

  var PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728", "#ff7f0e"];
  var state = {};   // layer id -> {config, features, group}
  var bounds = L.latLngBounds([]);

  function colourOf(layer, value) {
    var known = {};
    layer.legend.forEach(function (item) { known[item.value] = item.colour; });
    if (value !== null && value !== undefined && known[String(value)]) { return known[String(value)]; }
    var text = String(value === null || value === undefined ? layer.id : value), h = 0;
    for (var i = 0; i < text.length; i++) { h = (h * 31 + text.charCodeAt(i)) >>> 0; }
    return PALETTE[h % PALETTE.length];
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function popup(layer, feature) {
    var p = feature.properties || {};
    var name = p[layer.title_field] || ("#" + feature.id);
    var href = layer.detail.replace("{id}", feature.id);
    var extra = layer.category && p[layer.category] !== undefined && p[layer.category] !== null
      ? "<br><small>" + escapeHtml(labelOf(layer, p[layer.category])) + "</small>" : "";
    return '<div class="gis-popup"><a href="' + escapeHtml(href) + '" class="gis-open-record">' + escapeHtml(name) +
      "</a><br><small>" + escapeHtml(layer.title) + "</small>" + extra + "</div>";
  }

  function labelOf(layer, value) {
    var found = layer.legend.filter(function (item) { return item.value === String(value); })[0];
    return found ? found.label : value;
  }

  function visible(layer, feature) {
    var p = feature.properties || {};
    var search = document.getElementById("gis-search").value.trim();
    if (search && String(p[layer.title_field] || "").indexOf(search) < 0) { return false; }
    var select = document.querySelector('.gis-category[data-layer="' + layer.id + '"]');
    if (select && select.value && String(p[layer.category]) !== select.value) { return false; }
    var open = document.querySelector('.gis-open-only[data-layer="' + layer.id + '"]');
    if (open && open.checked && p[open.getAttribute("data-field")]) { return false; }
    return true;
  }

  function draw(id) {
    var entry = state[id];
    if (!entry) { return; }
    var layer = entry.config;
    if (entry.group) { map.removeLayer(entry.group); }
    var points = layer.kind === "point";
    var group = points ? L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 50, chunkedLoading: true}) : L.featureGroup();
    var shown = 0;
    entry.features.forEach(function (feature) {
      if (!feature.geometry || !visible(layer, feature)) { return; }
      var colour = colourOf(layer, (feature.properties || {})[layer.category]);
      var item;
      if (points) {
        var c = feature.geometry.coordinates;
        item = L.circleMarker([c[1], c[0]], {radius: 7, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.95});
      } else {
        item = L.geoJSON(feature, {style: {color: colour, weight: 2, fillOpacity: layer.id === "region_boundary" ? 0 : 0.15}});
      }
      item.bindPopup(popup(layer, feature));
      item.featureId = feature.id;
      group.addLayer(item);
      shown++;
    });
    entry.group = group;
    var toggle = document.querySelector('.gis-toggle[value="' + id + '"]');
    if (!toggle || toggle.checked) { group.addTo(map); }
    var badge = document.querySelector('[data-count="' + id + '"]');
    if (badge) { badge.textContent = shown; }
  }

  function load(layer) {
    var features = [];
    function page(url) {
      return fetch(url, {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          features = features.concat(data.features || []);
          var next = (data.links || []).filter(function (l) { return l.rel === "next"; })[0];
          if (next && features.length < 50000) { return page(next.href); }
          return features;
        });
    }
    return page(layer.items + "?f=json&limit=" + limit).then(function (found) {
      state[layer.id] = {config: layer, features: found, group: null};
      draw(layer.id);
      found.forEach(function (f) {
        if (f.geometry && f.geometry.type === "Point") { bounds.extend([f.geometry.coordinates[1], f.geometry.coordinates[0]]); }
      });
    }).catch(function () {
      var badge = document.querySelector('[data-count="' + layer.id + '"]');
      if (badge) { badge.textContent = "加载失败"; }
    });
  }

  Promise.all(layers.map(load)).then(function () {
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1), {maxZoom: 15}); }
    el.setAttribute("data-ready", "1");
  });

  function redrawAll() { Object.keys(state).forEach(draw); }
  document.getElementById("gis-search").addEventListener("input", redrawAll);
  document.querySelectorAll(".gis-category, .gis-open-only").forEach(function (input) {
    input.addEventListener("change", function () { draw(input.getAttribute("data-layer")); });
  });
  document.querySelectorAll(".gis-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function () {
      var entry = state[toggle.value];
      if (!entry || !entry.group) { return; }
      if (toggle.checked) { entry.group.addTo(map); } else { map.removeLayer(entry.group); }
    });
  });
})();
