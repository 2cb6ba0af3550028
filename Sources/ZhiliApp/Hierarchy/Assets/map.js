// The grid map: grid polygons in scope, click for compounds and buildings. Needs no
// tile server; when one is configured it is drawn underneath.

(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var en = el.dataset.lang === "en";
  var t = function (zh, e) { return en ? e : zh; };
  var info = document.getElementById("map-info");
  var map = L.map(el, { zoomSnap: 0.25, preferCanvas: false });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var palette = ["#c8102e", "#1f6feb", "#1a7f37", "#b25e00", "#8250df", "#0a7ea4", "#bf3989", "#57606a"];
  function colour(code) { var n = 0; for (var i = 0; i < code.length; i++) { n = (n * 31 + code.charCodeAt(i)) % 9973; } return palette[n % palette.length]; }
  function text(s) { var d = document.createElement("span"); d.textContent = s; return d.innerHTML; }
  var detail = L.layerGroup().addTo(map);
  function show(p) {
    info.innerHTML = "<strong>" + text(p.name) + "</strong> · " + text(p.code) + " · " + t("户数", "households") + " " + p.households + " · " + t("居民", "residents") + " " + p.residents +
      " · <a href=\"/hierarchy?code=" + encodeURIComponent(p.code) + "\">" + t("查看层级", "open in hierarchy") + "</a>";
  }
  function loadChildren(code) {
    fetch("/api/v1/nodes/" + encodeURIComponent(code) + "/children.geojson", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (fc) {
        detail.clearLayers();
        L.geoJSON(fc, {
          style: function () { return { color: "#344054", weight: 1, fillOpacity: 0.25, fillColor: "#ffffff" }; },
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 4, color: "#344054", weight: 1, fillOpacity: 0.8 }); },
          onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); layer.on("click", function (e) { L.DomEvent.stopPropagation(e); show(f.properties); }); }
        }).addTo(detail);
      });
  }
  fetch("/api/v1/grids.geojson", { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (fc) {
      if (!fc.features.length) { info.textContent = t("暂无网格数据", "No grids yet"); map.setView([40.142, 94.662], 13); return; }
      var grids = L.geoJSON(fc, {
        style: function (f) { var c = colour(f.properties.code.slice(0, 12)); return { color: c, weight: 1.5, fillColor: c, fillOpacity: 0.18 }; },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(f.properties.name, { sticky: true });
          layer.on("click", function () { show(f.properties); loadChildren(f.properties.code); });
        }
      }).addTo(map);
      map.fitBounds(grids.getBounds(), { padding: [12, 12] });
      info.textContent = t("共 ", "") + fc.features.length + t(" 个网格，点击网格查看小区。", " grids; click one to see its compounds.");
    })
    .catch(function (e) { info.textContent = t("网格加载失败：", "Could not load grids: ") + e.message; });
})();
