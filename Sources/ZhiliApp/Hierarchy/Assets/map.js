// The grid map: the base map of grids; a click on a grid shows its figures and draws its
// compounds, a click on a compound its buildings, each with its name.

(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined" || !window.zhili.baseMap) { return; }
  var t = window.zhili.t;
  var info = document.getElementById("map-info");
  var detail = L.layerGroup();
  var base = window.zhili.baseMap(el, {
    onGrid: function (f, layer) {
      layer.on("click", function () { show(f.properties); loadChildren(f.properties.code, true); });
    }
  });
  var map = base.map, text = base.text;
  detail.addTo(map);
  function show(p) {
    info.innerHTML = "<strong>" + text(p.name) + "</strong> · " + t("hierarchy.js.households", p.households) + " · " +
      t("hierarchy.js.residents", p.residents) + " · <a href=\"/hierarchy?code=" + encodeURIComponent(p.code) + "\">" +
      t("hierarchy.js.open-in-hierarchy") + "</a> <span class=\"mono small muted\">" + text(p.code) + "</span>";
  }
  function loadChildren(code, clear) {
    fetch("/api/v1/nodes/" + encodeURIComponent(code) + "/children.geojson", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (fc) {
        if (clear) { detail.clearLayers(); }
        var layer = L.geoJSON(fc, {
          style: function () { return { color: "#475467", weight: 1.5, fillOpacity: 0.7, fillColor: "#f8f9fb" }; },
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { radius: 5, color: "#475467", weight: 1, fillColor: "#ffffff", fillOpacity: 1 });
          },
          onEachFeature: function (f, l) {
            l.bindTooltip(f.properties.name, { permanent: fc.features.length <= 40, direction: "center", className: "child-label" });
            l.on("click", function (e) {
              L.DomEvent.stopPropagation(e);
              show(f.properties);
              if (f.properties.code.length < 19) { loadChildren(f.properties.code, false); }
            });
          }
        }).addTo(detail);
        if (clear && fc.features.length) { map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 }); }
      });
  }
  base.legend([
    { colour: "#8fb8de", label: t("hierarchy.js.legend-grid") },
    { colour: "#f8f9fb", label: t("hierarchy.js.legend-compound") },
    { colour: "#ffffff", label: t("hierarchy.js.legend-building"), dot: true }
  ]);
  base.ready.then(function (fc) {
    info.textContent = fc.features.length ? t("hierarchy.js.grid-count", fc.features.length) : t("hierarchy.js.no-grids");
  }).catch(function (e) { info.textContent = t("hierarchy.js.load-failed", e.message); });
})();
