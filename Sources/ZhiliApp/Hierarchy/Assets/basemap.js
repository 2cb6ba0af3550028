// The platform's own base map, drawn from the hierarchy's geometry so it works offline: a
// pale ground (the streets) with the grids as blocks on it, white gaps between them like
// roads, names on the blocks, Chinese zoom buttons and a legend. A tile server, when one is
// configured (data-tiles), is drawn underneath instead of the plain ground.
//
//   var base = zhili.baseMap(element, { onGrid: function (feature, layer) {…} });
//   base.ready.then(function (grids) { … });   // grids: the GeoJSON FeatureCollection
//   base.legend([{ colour: "#c8102e", label: "…" }, …]);

(function () {
  "use strict";
  var t = window.zhili.t;
  var palette = ["#8fb8de", "#a8d5ba", "#f3c98b", "#d7b8e8", "#f2a7a0", "#9fd6d2", "#e6d38f", "#c3c8d0"];

  function colour(code) {
    var n = 0;
    for (var i = 0; i < code.length; i++) { n = (n * 31 + code.charCodeAt(i)) % 9973; }
    return palette[n % palette.length];
  }

  function text(s) { var d = document.createElement("span"); d.textContent = s; return d.innerHTML; }

  function baseMap(el, options) {
    options = options || {};
    var map = L.map(el, { zoomSnap: 0.25, zoomControl: false, attributionControl: !!el.dataset.tiles });
    L.control.zoom({ zoomInTitle: t("hierarchy.js.zoom-in"), zoomOutTitle: t("hierarchy.js.zoom-out") }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    if (el.dataset.tiles) {
      map.attributionControl.setPrefix(false);
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("offline-base");
    }
    var labels = L.layerGroup().addTo(map);
    var ready = fetch("/api/v1/grids.geojson", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (fc) {
        if (!fc.features.length) { map.setView([40.142, 94.662], 13); return fc; }
        var grids = L.geoJSON(fc, {
          style: function (f) {
            var c = colour(f.properties.code.slice(0, 12));
            return { color: "#ffffff", weight: 3, fillColor: c, fillOpacity: el.dataset.tiles ? 0.35 : 0.85 };
          },
          onEachFeature: function (f, layer) {
            var centre = layer.getBounds().getCenter();
            labels.addLayer(L.marker(centre, {
              interactive: false, keyboard: false,
              icon: L.divIcon({ className: "map-label", html: "<span>" + text(f.properties.name) + "</span>", iconSize: null })
            }));
            if (options.onGrid) { options.onGrid(f, layer); }
          }
        }).addTo(map);
        map.fitBounds(grids.getBounds(), { padding: [12, 12] });
        // Names only where they fit: hidden when zoomed far out.
        function toggle() { el.classList.toggle("labels-hidden", map.getZoom() < 13); }
        map.on("zoomend", toggle);
        toggle();
        return fc;
      });
    function legend(items) {
      var control = L.control({ position: "bottomleft" });
      control.onAdd = function () {
        var box = L.DomUtil.create("div", "map-legend");
        box.innerHTML = "<strong>" + text(t("hierarchy.js.legend")) + "</strong>" + items.map(function (i) {
          return "<div><span class=\"swatch" + (i.dot ? " dot" : "") + "\" style=\"background:" + i.colour + "\"></span>" + text(i.label) + "</div>";
        }).join("");
        return box;
      };
      control.addTo(map);
    }
    return { map: map, ready: ready, legend: legend, labels: labels, text: text };
  }

  window.zhili = window.zhili || {};
  window.zhili.baseMap = baseMap;
})();
