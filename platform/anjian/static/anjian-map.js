/* The `map` form widget: pick a point or draw a line/polygon on a Leaflet map (vendored, offline).
   The textarea keeps the GeoJSON geometry that the form submits; without JavaScript it stays editable.
   Base tiles only when the deployment configures a tile URL; otherwise a coordinate grid. */
(function () {
  "use strict";
  if (!window.L) { return; }

  function round(v) { return Math.round(v * 1e6) / 1e6; }

  function gridLayer() {
    var Grid = L.GridLayer.extend({
      createTile: function (coords) {
        var tile = document.createElement("canvas");
        var size = this.getTileSize();
        tile.width = size.x; tile.height = size.y;
        var ctx = tile.getContext("2d");
        ctx.fillStyle = "#f4f6f8"; ctx.fillRect(0, 0, size.x, size.y);
        ctx.strokeStyle = "#dde3ea"; ctx.strokeRect(0, 0, size.x, size.y);
        var nw = this._map.unproject(coords.scaleBy(size), coords.z);
        ctx.fillStyle = "#9aa7b4"; ctx.font = "10px sans-serif";
        ctx.fillText(nw.lng.toFixed(3) + "E " + nw.lat.toFixed(3) + "N", 4, 12);
        return tile;
      }
    });
    return new Grid();
  }

  function baseLayers(map, el) {
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {attribution: el.getAttribute("data-attribution") || "", maxZoom: 18}).addTo(map);
    } else {
      gridLayer().addTo(map);
    }
    var overlay = el.getAttribute("data-overlay");
    if (overlay && window.fetch) {
      fetch(overlay, {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data) { L.geoJSON(data, {style: {color: "#6c7a89", weight: 1, fill: false}, interactive: false}).addTo(map); }
        }).catch(function () { /* the boundary layer is optional */ });
    }
  }

  function areaBounds(el) {  /* where an empty field's map opens: the deployment's view, else its whole area */
    var parts = (el.getAttribute("data-view") || el.getAttribute("data-area") || "73.5,3.8,135.1,53.6").split(",").map(Number);
    return L.latLngBounds([parts[1], parts[0]], [parts[3], parts[2]]);
  }

  function readValue(textarea) {
    try { return textarea.value.trim() ? JSON.parse(textarea.value) : null; } catch (e) { return null; }
  }

  function setup(el) {
    var kind = el.getAttribute("data-kind") || "point";
    var textarea = el.querySelector(".anjian-map-value");
    var canvas = el.querySelector(".anjian-map-canvas");
    var lon = el.querySelector(".anjian-map-lon");
    var lat = el.querySelector(".anjian-map-lat");
    var map = L.map(canvas, {attributionControl: true, maxZoom: 18, minZoom: 3});
    canvas.anjianMap = map;  // for the browser test and the console
    baseLayers(map, el);
    var drawn = L.layerGroup().addTo(map);
    var vertices = [];

    function write(geometry) {
      textarea.value = geometry ? JSON.stringify(geometry) : "";
      textarea.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function showPoint(latlng) {
      drawn.clearLayers();
      L.marker(latlng, {keyboard: false}).addTo(drawn);
      if (lon) { lon.value = round(latlng.lng); lat.value = round(latlng.lat); }
    }

    function showShape(points, closed) {
      drawn.clearLayers();
      if (!points.length) { return; }
      (closed && kind === "polygon" ? L.polygon(points) : L.polyline(points)).addTo(drawn);
      points.forEach(function (p) { L.circleMarker(p, {radius: 3}).addTo(drawn); });
    }

    var current = readValue(textarea);
    if (current && current.type === "Point" && current.coordinates) {
      var here = L.latLng(current.coordinates[1], current.coordinates[0]);
      showPoint(here); map.setView(here, 14);
    } else if (current && current.coordinates) {
      var ring = current.type === "Polygon" ? current.coordinates[0] : current.coordinates;
      vertices = ring.map(function (c) { return L.latLng(c[1], c[0]); });
      if (current.type === "Polygon") { vertices.pop(); }
      showShape(vertices, true); map.fitBounds(L.latLngBounds(vertices));
    } else {
      map.fitBounds(areaBounds(el));
      if (window.ResizeObserver && !canvas.clientWidth) {  // drawn while hidden (a closed section): fit once it shows
        var watcher = new ResizeObserver(function () {
          if (!canvas.clientWidth) { return; }
          watcher.disconnect(); map.invalidateSize();
          if (!drawn.getLayers().length) { map.fitBounds(areaBounds(el)); }
        });
        watcher.observe(canvas);
      }
    }

    map.on("click", function (event) {
      if (kind === "point") {
        showPoint(event.latlng);
        write({type: "Point", coordinates: [round(event.latlng.lng), round(event.latlng.lat)]});
      } else {
        vertices.push(event.latlng);
        showShape(vertices, false);
      }
    });

    function typed() {
      var x = parseFloat(lon.value), y = parseFloat(lat.value);
      if (isFinite(x) && isFinite(y)) {
        write({type: "Point", coordinates: [round(x), round(y)]});
        drawn.clearLayers(); L.marker([y, x]).addTo(drawn); map.panTo([y, x]);
      }
    }
    if (lon) { lon.addEventListener("change", typed); lat.addEventListener("change", typed); }

    var finish = el.querySelector(".anjian-map-finish");
    if (finish) {
      finish.addEventListener("click", function () {
        var coords = vertices.map(function (p) { return [round(p.lng), round(p.lat)]; });
        if (kind === "polygon" && coords.length) {
          coords.push(coords[0]);
          write({type: "Polygon", coordinates: [coords]});
        } else {
          write({type: "LineString", coordinates: coords});
        }
        showShape(vertices, true);
      });
    }
    el.querySelector(".anjian-map-clear").addEventListener("click", function () {
      vertices = []; drawn.clearLayers(); write(null);
      if (lon) { lon.value = ""; lat.value = ""; }
    });
  }

  document.querySelectorAll(".anjian-map-field").forEach(setup);
})();
