// The map of open complaints: grid outlines, one dot per complaint coloured by urgency,
// a popup linking to the handling page.

(function () {
  "use strict";
  var el = document.getElementById("complaint-map");
  if (!el || typeof L === "undefined") { return; }
  var en = el.dataset.lang === "en";
  var t = function (zh, e) { return en ? e : zh; };
  var info = document.getElementById("map-info");
  var map = L.map(el, { zoomSnap: 0.25 });
  if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map); }
  function text(s) { var d = document.createElement("span"); d.textContent = s; return d.innerHTML; }
  function colour(p) { return p.overdue ? "#c8102e" : (p.status === "submitted" ? "#b25e00" : "#1f6feb"); }
  fetch("/api/v1/grids.geojson", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : { features: [] }; })
    .then(function (fc) {
      var grids = L.geoJSON(fc, { style: { color: "#57606a", weight: 1, fillOpacity: 0.04 } }).addTo(map);
      if (fc.features.length) { map.fitBounds(grids.getBounds()); } else { map.setView([40.142, 94.662], 13); }
      return fetch("/api/v1/complaints/map.geojson", { credentials: "same-origin" });
    })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (fc) {
      var late = 0;
      L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          if (f.properties.overdue) { late++; }
          return L.circleMarker(latlng, { radius: 6, color: "#ffffff", weight: 1, fillColor: colour(f.properties), fillOpacity: 0.9 });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<strong>" + text(p.category) + "</strong> · " + text(p.statusName) + (p.overdue ? " · <span class=\"alert\">" + t("超时", "overdue") + "</span>" : "") +
            "<br>" + text(p.text) + "<br><a href=\"/complaints/" + encodeURIComponent(p.id) + "\">" + text(p.number) + "</a>");
        }
      }).addTo(map);
      info.textContent = t("未办结诉求 ", "Open complaints: ") + fc.features.length + t(" 件，其中超时 ", ", overdue: ") + late + t(" 件", "");
    })
    .catch(function () { info.textContent = t("地图数据加载失败", "Could not load the map data"); });
})();
