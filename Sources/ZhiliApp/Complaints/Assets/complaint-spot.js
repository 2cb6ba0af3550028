// The small map on a complaint's page: the platform's base map centred on where the
// complaint was reported, with a marker there and a one-line legend. The point is the one
// the viewer may see (coarsened for followers, exact for the submitter and staff).
(function () {
  "use strict";
  var el = document.getElementById("complaint-spot");
  if (!el || !window.L || !window.zhili || !window.zhili.baseMap) { return; }
  var t = window.zhili.t;
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  if (!isFinite(lat) || !isFinite(lon)) { return; }
  var base = window.zhili.baseMap(el, {});
  function mark() {
    base.map.setView([lat, lon], 15);
    L.circleMarker([lat, lon], { radius: 9, color: "#ffffff", weight: 3, fillColor: "#c8102e", fillOpacity: 1 })
      .addTo(base.map);
  }
  base.ready.then(mark, function () {
    mark();
    el.insertAdjacentHTML("afterend", "<p class=\"muted small\">" + base.text(t("complaints.js.map-load-failed")) + "</p>");
  });
  base.legend([{ colour: "#c8102e", dot: true, label: t("complaints.js.reported-here") }]);
})();
