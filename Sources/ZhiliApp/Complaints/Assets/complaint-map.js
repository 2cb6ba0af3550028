// The map of open complaints: the base map of grids, one dot per complaint coloured by
// urgency (the legend says which), a popup linking to the handling page.

(function () {
  "use strict";
  var el = document.getElementById("complaint-map");
  if (!el || typeof L === "undefined" || !window.zhili.baseMap) { return; }
  var t = window.zhili.t;
  var info = document.getElementById("map-info");
  var base = window.zhili.baseMap(el);
  var map = base.map, text = base.text;
  var colours = { late: "#c8102e", review: "#b25e00", hand: "#1f6feb" };
  function colour(p) { return p.overdue ? colours.late : (p.status === "submitted" ? colours.review : colours.hand); }
  base.legend([
    { colour: colours.late, label: t("complaints.js.legend-overdue"), dot: true },
    { colour: colours.review, label: t("complaints.js.legend-review"), dot: true },
    { colour: colours.hand, label: t("complaints.js.legend-in-hand"), dot: true }
  ]);
  base.ready
    .then(function () { return fetch("/api/v1/complaints/map.geojson", { credentials: "same-origin" }); })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (fc) {
      var late = 0;
      L.geoJSON(fc, {
        pointToLayer: function (f, latlng) {
          if (f.properties.overdue) { late++; }
          return L.circleMarker(latlng, { radius: 7, color: "#ffffff", weight: 1.5, fillColor: colour(f.properties), fillOpacity: 0.95 });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<strong>" + text(p.category) + "</strong> · " + text(p.statusName) +
            (p.overdue ? " · <span class=\"alert\">" + t("complaints.js.overdue") + "</span>" : "") +
            "<br>" + text(p.text) + "<br><a href=\"/complaints/" + encodeURIComponent(p.id) + "\">" + text(p.number) + "</a>");
        }
      }).addTo(map);
      info.textContent = t("complaints.js.open-count", fc.features.length, late);
    })
    .catch(function () { info.textContent = t("complaints.js.map-load-failed"); });
})();
